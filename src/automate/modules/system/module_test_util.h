// Running one module the way the executor does (arguments validated
// against the spec, a local connection, an id resolver), for tests.
#ifndef TEND_AUTOMATE_MODULES_SYSTEM_MODULE_TEST_UTIL_H_
#define TEND_AUTOMATE_MODULES_SYSTEM_MODULE_TEST_UTIL_H_

#include <functional>
#include <memory>
#include <string>

#include "automate/modules/module.h"
#include "automate/transport/connection.h"
#include "base/status.h"

namespace tend::automate::testing {

class ModuleHarness {
 public:
  ModuleHarness();
  // Validates `args` (a mapping, or a key=value / free-form string) and
  // runs the module. A validation error is returned as the error.
  Result<ModuleResult> Run(const Module& m, const Value& args,
                           bool check = false, bool diff = false);
  Connection* conn() { return conn_.get(); }

 private:
  std::unique_ptr<Connection> conn_;
  IdResolver ids_;
};

// The contract every state-changing module keeps, checked in order:
// check mode predicts a change and changes nothing (snapshot unchanged);
// the real run changes; check mode then predicts no change; a second real
// run changes nothing. `snapshot` captures the state the module touches.
void ExpectConverges(ModuleHarness& h, const Module& m, const Value& args,
                     const std::function<std::string()>& snapshot);

// The whole text of a local file, "" when missing.
std::string ReadText(const std::string& path);
void WriteText(const std::string& path, const std::string& text);
// Runs /bin/sh -c and returns stdout (test setup and inspection).
std::string Sh(const std::string& script);

}  // namespace tend::automate::testing

#endif  // TEND_AUTOMATE_MODULES_SYSTEM_MODULE_TEST_UTIL_H_
