// Test fixtures for the network modules: a temporary directory, an HTTP
// server on a loopback port, and a connection that looks remote (the local
// transport with is_local() false) so the remote code paths run for real.
#ifndef TEND_AUTOMATE_MODULES_NET_NET_TEST_UTIL_H_
#define TEND_AUTOMATE_MODULES_NET_NET_TEST_UTIL_H_

#include <httplib.h>

#include <memory>
#include <string>
#include <thread>

#include "automate/modules/module.h"
#include "automate/modules/system/module_test_util.h"

namespace tend::automate::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const {
    return path_ + "/" + name;
  }

 private:
  std::string path_;
};

// An httplib server on 127.0.0.1 and a free port, serving on its own
// thread until destroyed. Routes are added to server() before Start().
class TestHttpServer {
 public:
  TestHttpServer() = default;
  ~TestHttpServer();
  httplib::Server& server() { return server_; }
  void Start();
  std::string Url(const std::string& path) const;
  int port() const { return port_; }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
};

// Runs a module through a connection whose is_local() is false.
Result<ModuleResult> RunRemote(const Module& m, const Value& args,
                               bool check = false);

// The module registered under `name` by AddNetModules.
const Module& NetModule(const std::string& name);

}  // namespace tend::automate::testing

#endif  // TEND_AUTOMATE_MODULES_NET_NET_TEST_UTIL_H_
