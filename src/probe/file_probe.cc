// file probes: stat(2) through the Env seam.
#include "probe/probe_table.h"
#include "probe/probe_util.h"

namespace tend {
namespace {

class FileProbe : public Probe {
 public:
  FileProbe(const ProbeSpec& spec, const ProbeDeps& deps)
      : spec_(spec.file), clock_(deps.clock), env_(deps.env) {}

  ProbeResult Run(int64_t deadline_mono_ns) override {
    ProbeResult r;
    r.success = true;
    const std::string& path = spec_.path;
    Result<FileTimes> st = env_->Stat(path);
    if (!st.ok()) {
      AddSample(&r, "probe_file_exists", 0);
      if (st.status().code() != StatusCode::kNotFound) {
        Fail(&r, st.status().message());
      } else if (spec_.expect_exists) {
        Fail(&r, path + " does not exist");
      }
      return r;
    }
    AddSample(&r, "probe_file_exists", 1);
    double age_s =
        static_cast<double>(clock_->NowUnixNanos() - st->mtime_unix_nanos) /
        kNanosPerSecond;
    AddSample(&r, "probe_file_age_seconds", age_s);
    AddSample(&r, "probe_file_size_bytes", static_cast<double>(st->size));
    if (!spec_.expect_exists) {
      Fail(&r, path + " exists (expected absent)");
    }
    if (spec_.max_age_ms > 0 &&
        age_s * 1000 > static_cast<double>(spec_.max_age_ms)) {
      Fail(&r, path + " was last modified " +
                   std::to_string(static_cast<int64_t>(age_s)) +
                   " s ago, older than max_age");
    }
    int64_t size = static_cast<int64_t>(st->size);
    if (spec_.min_size_bytes >= 0 && size < spec_.min_size_bytes) {
      Fail(&r, path + " is " + std::to_string(size) + " bytes, below " +
                   std::to_string(spec_.min_size_bytes));
    }
    if (spec_.max_size_bytes >= 0 && size > spec_.max_size_bytes) {
      Fail(&r, path + " is " + std::to_string(size) + " bytes, above " +
                   std::to_string(spec_.max_size_bytes));
    }
    return r;
  }

 private:
  const FileProbeSpec spec_;
  const Clock* clock_;
  Env* env_;
};

}  // namespace

Result<std::unique_ptr<Probe>> NewFileProbe(const ProbeSpec& spec,
                                            const ProbeDeps& deps) {
  const FileProbeSpec& f = spec.file;
  if (f.path.empty() || f.path[0] != '/') {
    return SpecError(spec, "file.path must be an absolute path");
  }
  if (f.max_age_ms < 0) return SpecError(spec, "file.max_age must be >= 0");
  if (f.min_size_bytes >= 0 && f.max_size_bytes >= 0 &&
      f.min_size_bytes > f.max_size_bytes) {
    return SpecError(spec, "file.min_size is above file.max_size");
  }
  return std::unique_ptr<Probe>(std::make_unique<FileProbe>(spec, deps));
}

}  // namespace tend
