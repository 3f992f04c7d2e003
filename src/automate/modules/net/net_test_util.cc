#include "automate/modules/net/net_test_util.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>

#include "automate/modules/args.h"
#include "automate/transport/local_connection.h"

namespace tend::automate::testing {

TempDir::TempDir() {
  std::string tmpl =
      (std::filesystem::temp_directory_path() / "tend-net-test-XXXXXX")
          .string();
  char* p = mkdtemp(tmpl.data());
  EXPECT_NE(p, nullptr);
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

TestHttpServer::~TestHttpServer() {
  server_.stop();
  if (thread_.joinable()) thread_.join();
}

void TestHttpServer::Start() {
  port_ = server_.bind_to_any_port("127.0.0.1");
  ASSERT_GT(port_, 0);
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  for (int i = 0; i < 500 && !server_.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
}

std::string TestHttpServer::Url(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(port_) + path;
}

namespace {

// The local transport, presenting itself as a remote one.
class RemoteLike : public LocalConnection {
 public:
  RemoteLike() : LocalConnection("remote") {}
  bool is_local() const override { return false; }
};

}  // namespace

Result<ModuleResult> RunRemote(const Module& m, const Value& args, bool check) {
  ASSIGN_OR_RETURN(Value valid, ValidateArgs(m.spec(), args));
  RemoteLike conn;
  IdResolver ids(&conn);
  ModuleContext ctx;
  ctx.conn = &conn;
  ctx.ids = &ids;
  ctx.check_mode = check;
  ctx.clock = Clock::Real();
  return const_cast<Module&>(m).Run(valid, ctx);
}

const Module& NetModule(const std::string& name) {
  static const ModuleList* list = [] {
    auto* l = new ModuleList;
    AddNetModules(l);
    return l;
  }();
  for (const auto& m : *list) {
    if (m->spec().name == name) return *m;
  }
  ADD_FAILURE() << "no module " << name;
  return *list->front();
}

}  // namespace tend::automate::testing
