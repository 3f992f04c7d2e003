#include "automate/modules/system/module_test_util.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "automate/modules/args.h"
#include "automate/transport/local_connection.h"
#include "base/subprocess.h"

namespace tend::automate::testing {

ModuleHarness::ModuleHarness()
    : conn_(NewLocalConnection("localhost")), ids_(conn_.get()) {}

Result<ModuleResult> ModuleHarness::Run(const Module& m, const Value& args,
                                        bool check, bool diff) {
  ASSIGN_OR_RETURN(Value valid, ValidateArgs(m.spec(), args));
  ModuleContext ctx;
  ctx.conn = conn_.get();
  ctx.ids = &ids_;
  ctx.check_mode = check;
  ctx.diff = diff;
  ctx.clock = Clock::Real();
  // Modules are not const (they may cache), but tests hold them as const.
  return const_cast<Module&>(m).Run(valid, ctx);
}

void ExpectConverges(ModuleHarness& h, const Module& m, const Value& args,
                     const std::function<std::string()>& snapshot) {
  std::string before = snapshot();
  auto predicted = h.Run(m, args, /*check=*/true);
  ASSERT_TRUE(predicted.ok()) << predicted.status().ToString();
  EXPECT_FALSE(predicted->failed) << predicted->msg;
  EXPECT_TRUE(predicted->changed) << "check mode predicted no change";
  EXPECT_EQ(snapshot(), before) << "check mode changed the state";
  auto first = h.Run(m, args);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_FALSE(first->failed) << first->msg;
  EXPECT_TRUE(first->changed);
  EXPECT_NE(snapshot(), before) << "the real run left the state as it was";
  std::string after = snapshot();
  auto again_check = h.Run(m, args, /*check=*/true);
  ASSERT_TRUE(again_check.ok()) << again_check.status().ToString();
  EXPECT_FALSE(again_check->changed) << "check mode after convergence";
  auto second = h.Run(m, args);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_FALSE(second->failed) << second->msg;
  EXPECT_FALSE(second->changed) << "second run changed again";
  EXPECT_EQ(snapshot(), after);
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

std::string Sh(const std::string& script) {
  SubprocessOptions o;
  o.argv = {"/bin/sh", "-c", script};
  auto r = RunSubprocess(o);
  return r.ok() ? r->stdout_data : "";
}

}  // namespace tend::automate::testing
