#include "cli/local_store.h"

#include <filesystem>

#include "agent/data_dir.h"
#include "api/prom_api.h"
#include "base/clock.h"
#include "config/tend_config_schema.h"
#include "tsdb/db.h"

namespace tend {

namespace {

// Milliseconds as the API's seconds parameter ("12.345").
std::string Seconds(int64_t ms) {
  std::string sign = ms < 0 ? "-" : "";
  uint64_t a =
      ms < 0 ? static_cast<uint64_t>(-(ms + 1)) + 1 : static_cast<uint64_t>(ms);
  char frac[8];
  std::snprintf(frac, sizeof(frac), ".%03u", static_cast<unsigned>(a % 1000));
  return sign + std::to_string(a / 1000) + frac;
}

}  // namespace

Result<std::string> RunLocalQuery(const ParsedFlags& flags,
                                  const std::string& dir, const LocalQuery& q) {
  std::error_code ec;
  if (!std::filesystem::exists(dir + "/tsdb", ec)) {
    // Not an error of the lock: an agent may own a dir whose store it has
    // not written yet, so ask first when the lock is taken.
    Result<std::unique_ptr<DataDirLock>> probe = DataDirLock::Acquire(dir);
    if (!probe.ok()) return probe.status();
    return NotFoundError("no metric store in " + dir +
                         " (start the agent with --data-dir " + dir + ")");
  }
  ASSIGN_OR_RETURN(std::unique_ptr<DataDirLock> lock,
                   DataDirLock::Acquire(dir));
  QuerySection qc;
  if (flags.Has("config")) {
    ASSIGN_OR_RETURN(TendConfig c, LoadConfigFile(flags.Get("config")));
    qc = c.query;
  }
  DbOptions o;
  o.read_only = true;
  ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(dir + "/tsdb", o));
  promql::EngineOptions eo;
  eo.lookback_delta_ms = qc.lookback_delta_ms;
  eo.max_samples = qc.max_samples;
  eo.timeout = std::chrono::milliseconds(qc.timeout_ms);
  promql::Engine engine(eo);
  PromApi api(db.get(), &engine, Clock::Real(), nullptr);
  HttpRequest req;
  req.params.emplace("query", q.expr);
  HttpResponse res;
  if (q.range) {
    req.params.emplace("start", Seconds(q.start));
    req.params.emplace("end", Seconds(q.end));
    req.params.emplace("step", Seconds(q.step));
    api.QueryRange(req, &res);
  } else {
    req.params.emplace("time", Seconds(q.time));
    api.Query(req, &res);
  }
  return res.body;
}

}  // namespace tend
