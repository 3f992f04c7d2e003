// Test fixture for the file modules: a temporary directory on the local
// host, a LocalConnection, and helpers to run a module as the executor
// would (arguments validated against the spec) and to snapshot a tree.
#ifndef TEND_AUTOMATE_MODULES_FILES_FILE_TEST_UTIL_H_
#define TEND_AUTOMATE_MODULES_FILES_FILE_TEST_UTIL_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "automate/modules/module.h"
#include "automate/transport/local_connection.h"
#include "base/clock.h"
#include "gtest/gtest.h"

namespace tend::automate::filemod {

class FileModuleTest : public ::testing::Test {
 protected:
  FileModuleTest();
  ~FileModuleTest() override;

  // root_ + "/" + name.
  std::string P(std::string_view name) const;
  void Put(std::string_view name, std::string_view text, int mode = 0644);
  std::string Get(std::string_view name) const;
  uint32_t Mode(std::string_view name) const;
  bool Exists(std::string_view name) const;

  // Runs module `name` (a factory's product) with args (a JSON text or a
  // Value), validated as the executor does. Validation errors and error
  // Results become failed results with the message, as the executor
  // reports them.
  ModuleResult Run(Module& m, const Value& args, bool check = false,
                   bool diff = true);

  // The contract every module keeps, checked on a fresh tree: check mode
  // predicts a change and touches nothing; the real run changes; a second
  // run (and a second check run) changes nothing. Returns the first real
  // run's result.
  ModuleResult ExpectConverges(Module& m, const Value& args);

  // Every path under root_ with its type, mode and content (or link).
  std::map<std::string, std::string> Snapshot() const;

  std::string root_;
  LocalConnection conn_{"localhost"};
  IdResolver ids_{&conn_};
  FakeClock clock_;
  std::string files_dir_;  // where find_src looks (controller side)
};

// Parses JSON text into a Value (test data).
Value J(std::string_view json);

}  // namespace tend::automate::filemod

#endif  // TEND_AUTOMATE_MODULES_FILES_FILE_TEST_UTIL_H_
