// Helpers for the metric store's fault tests (store_faults_test.cc): sets
// of samples as the HTTP API returns them or as the WAL holds them, and
// the comparisons "every sample of A is still served".
#ifndef TEND_TESTS_INTEGRATION_STORE_FAULTS_UTIL_H_
#define TEND_TESTS_INTEGRATION_STORE_FAULTS_UTIL_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "base/status.h"
#include "base/subprocess.h"
#include "model/labels.h"

namespace tend::testing {

// Series (labels as "name=value,..." sorted by name) -> time (ms) -> value.
using SampleSet = std::map<std::string, std::map<int64_t, double>>;

// "a=1,b=2," for canonical labels.
std::string SeriesKey(const Labels& labels);

// The tend binary under test: $TEND_BUILD_DIR/tend when set, else the one
// at the top of the build tree this test binary was built in (ctest does
// not always pass TEND_BUILD_DIR on, and the harness's fallback,
// build/debug, may be another build).
std::string Tend();

// Adds every sample of `from` to `*into`.
void Merge(const SampleSet& from, SampleSet* into);
size_t CountSamples(const SampleSet& s);

// The samples of `want` that `have` lacks or holds with a different value
// (NaN equals NaN), as readable lines; at most `limit` of them, and the
// total count in *missing.
std::vector<std::string> Missing(const SampleSet& want, const SampleSet& have,
                                 size_t limit, size_t* missing);

// POSTs an instant query to the agent's /api/v1/query (at `time_s`, or
// now when 0) and returns the body. Fails on transport errors, on an HTTP
// status other than 200 and on a non-success API status.
Result<std::string> Query(const std::string& addr, const std::string& expr,
                          double time_s = 0);

// The samples of a matrix result (a range selector query's answer).
Result<SampleSet> QueryMatrix(const std::string& addr, const std::string& expr);

// The value of an unlabelled sample `name` in /metrics text; kNotFound
// when it is absent.
Result<double> MetricValue(const std::string& metrics_text,
                           const std::string& name);

// Every sample the WAL in `wal_dir` holds before its first damage (what a
// correct replay must keep), stale markers excluded. *damage_segment and
// *damage_offset receive where the reader stopped (-1 when it read to the
// end).
Result<SampleSet> SamplesInWal(const std::string& wal_dir, int* damage_segment,
                               uint64_t* damage_offset);

// Runs a command to completion (60 s limit); on a start failure returns a
// result with exit_code -1 and the reason in stderr_data.
SubprocessResult Exec(std::vector<std::string> argv);

// Writes `data` to `path` (replacing it); false on any error.
bool WriteWholeFile(const std::string& path, const std::string& data);

// Bytes of the file; -1 when it cannot be stat'ed.
int64_t FileSize(const std::string& path);

// The executable `name` found in $PATH (or /usr/bin, /bin); "" if none.
std::string Which(const std::string& name);

// Number of lines of `text` containing `needle`.
size_t CountLines(const std::string& text, const std::string& needle);

// Polls `done` every 50 ms until it is true or `timeout_ms` passed; the
// deadline is generous so a loaded machine does not fail the test, and
// the poll returns as soon as the condition holds.
template <typename F>
bool PollUntil(int timeout_ms, F done) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

}  // namespace tend::testing

#endif  // TEND_TESTS_INTEGRATION_STORE_FAULTS_UTIL_H_
