// Fuzz target: the LogQL evaluator (src/logs/query/query.h).
//
// The input is parsed as a query; a query that parses is evaluated over a
// small fixed store (syslog, JSON, logfmt and access-log lines in three
// streams) as a range query and, for metric queries, as an instant query.
// Evaluation must succeed or fail with a Status, never crash, hang or
// exhaust memory; limits are small so that no input can run long.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "logs/logql/parser.h"
#include "logs/query/query.h"
#include "logs/store/log_store.h"

namespace {

constexpr int64_t kSec = 1'000'000'000;
constexpr int64_t kT0 = 1704067200LL * kSec;

const tend::logs::LogStore* Store() {
  static std::unique_ptr<tend::logs::LogStore> store = [] {
    char tmpl[] = "/tmp/logql_eval_fuzz.XXXXXX";
    const std::string dir = ::mkdtemp(tmpl);
    tend::logs::LogStoreOptions o;
    o.fsync = tend::logs::LogFsync::kNever;
    o.block_lines = 8;
    auto s = tend::logs::LogStore::Open(dir, o);
    if (!s.ok()) __builtin_trap();
    const char* lines[] = {
        R"(Dec 10 06:55:46 LabSZ sshd[24200]: Failed password for root from 1.2.3.4 port 22 ssh2)",
        R"({"status":503,"path":"/a","latency":"250ms","req":{"m":"GET"},"a":[1,2]})",
        R"(level=info msg="hello \"x\"" status=200 latency=1.5s bytes=10KB)",
        R"(10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /a.gif HTTP/1.0" 200 2326)",
        "\x1b[31mred\x1b[0m plain",
        R"({"_entry":"inner line","pod":"p"})",
        "",
        "not json { at all",
    };
    const tend::Labels streams[] = {{{"app", "a"}},
                                    {{"app", "b"}, {"host", "h"}},
                                    {{"app", "c"}, {"status", "x"}}};
    int64_t t = kT0;
    for (int r = 0; r < 4; ++r) {
      for (const char* l : lines) {
        for (const auto& st : streams) {
          if (!(*s)->Append(st, t, l).ok()) __builtin_trap();
          t += kSec;
        }
      }
    }
    if (!(*s)->Commit().ok()) __builtin_trap();
    return std::move(*s);
  }();
  return store.get();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > 4096) return 0;
  const std::string_view query(reinterpret_cast<const char*>(data), size);
  auto expr = tend::logql::ParseLogQL(query);
  if (!expr.ok()) return 0;
  tend::logql::QueryLimits lim;
  lim.max_entries = 1000;
  lim.max_series = 1000;
  lim.max_bytes_read = 1 << 20;
  lim.timeout_ns = 2 * kSec;
  const auto* store = Store();
  auto r = tend::logql::EvalRange(*store, **expr, kT0 - 60 * kSec,
                                  kT0 + 200 * kSec, 10 * kSec,
                                  tend::logs::Direction::kBackward, 100, lim);
  if (r.ok() && (*expr)->is_metric() &&
      r->type != tend::logql::ResultType::kMatrix) {
    __builtin_trap();
  }
  if ((*expr)->is_metric()) {
    auto i =
        tend::logql::EvalInstant(*store, **expr, kT0 + 50 * kSec,
                                 tend::logs::Direction::kBackward, 100, lim);
    (void)i;
  }
  return 0;
}
