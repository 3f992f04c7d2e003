#include "agent/agent.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <future>
#include <nlohmann/json.hpp>

#include "agent/agent_http.h"
#include "agent/alerting_service.h"
#include "agent/collection.h"
#include "agent/data_dir.h"
#include "agent/log_service.h"
#include "agent/snapshot.h"
#include "agent/store_metrics.h"
#include "agent/store_writer.h"
#include "api/events_api.h"
#include "api/loki_api.h"
#include "api/prom_api.h"
#include "base/log.h"
#include "config/byte_size.h"
#include "config/logs_config_schema.h"
#include "config/tend_config_schema.h"
#include "http/server.h"
#include "loop/event_loop.h"
#include "loop/worker_pool.h"
#include "state/state_db.h"
#include "tend_version.h"
#include "tsdb/db.h"

namespace tend {

class AgentImpl : public AgentView {
 public:
  explicit AgentImpl(AgentOptions options) : options_(std::move(options)) {}

  ~AgentImpl() override {
    if (server_) server_->Stop();
    if (pool_) pool_->Shutdown();
    if (alerting_) alerting_->Stop();
    if (logs_) logs_->Stop().IgnoreError();
  }

  Status Init() {
    started_unix_nanos_ = Clock::Real()->NowUnixNanos();
    ASSIGN_OR_RETURN(config_, LoadConfig());
    ApplyLogConfig(config_);
    if (!options_.listen_override.empty()) {
      RETURN_IF_ERROR(ValidateListenAddress(options_.listen_override)
                          .WithContext("--listen"));
      config_.agent.listen = options_.listen_override;
    }
    ASSIGN_OR_RETURN(lock_, DataDirLock::Acquire(options_.data_dir));
    ASSIGN_OR_RETURN(state_,
                     state::StateDb::Open(options_.data_dir + "/state.db"));
    if (config_.storage.enabled) RETURN_IF_ERROR(OpenStore());
    if (config_.logs.enabled) {
      ASSIGN_OR_RETURN(logs_,
                       LogService::Create(config_.logs, options_.data_dir,
                                          !config_.supervise.empty()));
    }
    ASSIGN_OR_RETURN(loop_, EventLoop::Create());
    pool_ = std::make_unique<WorkerPool>(1, 1);
    collection_ =
        std::make_shared<Collection>(config_, Env::Default(), Clock::Real());
    shared_.collection = collection_;
    shared_.interval_ms = config_.agent.interval_ms;
    shared_.config_loaded_unix_nanos = started_unix_nanos_;

    // Eight threads: a log tail (Grafana's live view) holds one while it
    // runs (LokiApiOptions::max_tails of them at most).
    HttpServerOptions so;
    so.threads = 8;
    server_ = std::make_unique<HttpServer>(so);
    RegisterAgentRoutes(this, server_.get());
    if (db_) {
      promql::EngineOptions eo;
      eo.lookback_delta_ms = config_.query.lookback_delta_ms;
      eo.max_samples = config_.query.max_samples;
      eo.timeout = std::chrono::milliseconds(config_.query.timeout_ms);
      engine_ = std::make_unique<promql::Engine>(eo);
      prom_api_ =
          std::make_unique<PromApi>(db_.get(), engine_.get(), Clock::Real(),
                                    [this] { return MetadataOf(snapshot()); });
      prom_api_->Register(server_.get());
    }
    events_api_ = std::make_unique<EventsApi>(state_.get(), Clock::Real());
    events_api_->Register(server_.get());
    RETURN_IF_ERROR(CreateAlerting());
    alerting_->RegisterRoutes(server_.get());
    if (logs_) {
      LokiApiOptions lo;
      lo.limits.timeout_ns = config_.query.timeout_ms * 1'000'000;
      loki_api_ = std::make_unique<LokiApi>(logs_->store(), Clock::Real(), lo);
      loki_api_->Register(server_.get());
    }
    std::string host;
    int port = 0;
    RETURN_IF_ERROR(SplitHostPort(config_.agent.listen, &host, &port));
    RETURN_IF_ERROR(server_->Start(host, port));
    listen_ = host.find(':') != std::string::npos
                  ? "[" + host + "]:" + std::to_string(server_->port())
                  : host + ":" + std::to_string(server_->port());

    nlohmann::json info = {
        {"pid", ::getpid()},
        {"listen", listen_},
        {"version", TEND_VERSION},
        {"started_at_unix", started_unix_nanos_ / 1000000000}};
    RETURN_IF_ERROR(lock_->WriteAgentInfo(info.dump() + "\n"));

    RETURN_IF_ERROR(loop_->WatchSignal(SIGHUP, [this] {
      LogInfo("SIGHUP: reloading configuration");
      Reload().IgnoreError();
    }));
    RETURN_IF_ERROR(loop_->WatchSignal(SIGTERM, [this] {
      LogInfo("SIGTERM: stopping");
      loop_->Stop();
    }));
    RETURN_IF_ERROR(loop_->WatchSignal(SIGINT, [this] {
      LogInfo("SIGINT: stopping");
      loop_->Stop();
    }));
    if (logs_) RETURN_IF_ERROR(logs_->Start());
    RETURN_IF_ERROR(alerting_->Start());
    ScheduleCollection();
    LogInfo("tend agent started",
            {{"listen", listen_},
             {"data_dir", options_.data_dir},
             {"config", ConfigName()},
             {"interval", FormatMillis(config_.agent.interval_ms)},
             {"version", TEND_VERSION}});
    return Status::Ok();
  }

  Status Run() {
    Status s = loop_->Run();
    server_->Stop();
    pool_->Shutdown();
    alerting_->Stop();
    if (logs_) {
      Status stopped = logs_->Stop();
      if (!stopped.ok()) {
        LogWarn("log pipeline stopped with an error",
                {{"err", stopped.message()}});
      }
    }
    if (db_) {
      // The pool is idle: this thread is the store's writer now.
      Status synced = db_->SyncWal();
      if (!synced.ok()) {
        LogWarn("final WAL sync failed", {{"err", synced.message()}});
      }
    }
    LogInfo("tend agent stopped");
    return s;
  }

  void Stop() { loop_->Stop(); }
  int port() const { return server_->port(); }

  // AgentView, called from HTTP threads.
  std::shared_ptr<const Snapshot> snapshot() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return shared_.snapshot;
  }

  Status RequestReload() override {
    auto promise = std::make_shared<std::promise<Status>>();
    std::future<Status> result = promise->get_future();
    loop_->Post([this, promise] { promise->set_value(Reload()); });
    if (result.wait_for(std::chrono::seconds(30)) !=
        std::future_status::ready) {
      return DeadlineExceededError("reload did not finish within 30s");
    }
    return result.get();
  }

  nlohmann::json StatusJson() const override;

 private:
  Result<TendConfig> LoadConfig() const {
    if (options_.config_path.empty()) return TendConfig();
    return LoadConfigFile(options_.config_path);
  }

  // /api/v1/metadata: type and help of every family of the latest cycle.
  static MetadataMap MetadataOf(const std::shared_ptr<const Snapshot>& snap) {
    MetadataMap m;
    if (!snap) return m;
    for (const MetricFamily& f : snap->metrics().families()) {
      m[f.name].push_back({std::string(MetricTypeName(f.type)), f.help, ""});
    }
    return m;
  }

  std::string ConfigDir() const {
    const std::string& p = options_.config_path;
    size_t slash = p.rfind('/');
    if (p.empty()) return "";
    return slash == std::string::npos ? "." : p.substr(0, slash);
  }

  // After the store, the engine and the logs exist (the service reads
  // them), before the HTTP server starts (it registers routes).
  Status CreateAlerting() {
    AlertingDeps d;
    d.state = state_.get();
    d.engine = engine_.get();
    d.store = db_.get();
    d.head = db_ ? db_->head() : nullptr;
    d.log_store = logs_ ? logs_->store() : nullptr;
    d.config_dir = ConfigDir();
    d.listen = config_.agent.listen;
    if (logs_ && logs_->process_output() != nullptr) {
      logs::PushSource* out = logs_->process_output();
      d.on_process_line = [out](const std::string& process, bool is_stderr,
                                std::string_view line) {
        out->Push(process, is_stderr ? "stderr" : "stdout", line,
                  Clock::Real()->NowUnixNanos());
      };
    }
    ASSIGN_OR_RETURN(alerting_, AlertingService::Create(config_, std::move(d)));
    return Status::Ok();
  }

  // Opens <data-dir>/tsdb with the storage section's settings.
  Status OpenStore() {
    const StorageSection& sc = config_.storage;
    DbOptions o;
    o.block_duration_ms = sc.block_duration_ms;
    o.retention_ms = sc.retention_ms;
    ASSIGN_OR_RETURN(o.retention_bytes, ParseByteSize(sc.retention_size));
    o.wal_fsync =
        sc.wal_fsync_ms == 0 ? WalFsync::kAlways : WalFsync::kInterval;
    o.max_series = static_cast<size_t>(sc.max_series);
    const std::string dir = options_.data_dir + "/tsdb";
    Result<std::unique_ptr<Db>> db = Db::Open(dir, o);
    if (!db.ok()) {
      return db.status().WithContext("opening the metric store in " + dir);
    }
    db_ = std::move(*db);
    store_writer_ = std::make_unique<StoreWriter>(db_->head());
    storage_ = sc;
    return Status::Ok();
  }

  // Worker thread (the store's single writer): stores one cycle and fsyncs
  // the WAL when due.
  void StoreCycle(MetricSet* metrics, int64_t now_nanos) {
    const int64_t now_ms = now_nanos / kNanosPerMilli;
    // Db::stats() walks every series and the WAL directory: refreshed every
    // few seconds, not every cycle.
    if (now_ms - last_stats_ms_ >= kStoreStatsEveryMs) {
      last_stats_ms_ = now_ms;
      store_stats_ = db_->stats();
    }
    AddStoreMetrics(store_stats_, store_health_, metrics);
    StoreWriteResult r = store_writer_->Write(*metrics, now_ms);
    store_health_.rejected_samples += r.rejected;
    store_health_.stale_markers += r.stale_markers;
    if (!r.status.ok()) {
      ++store_health_.commit_failures;
      // One line per failure episode, not per cycle: a full disk would
      // otherwise fill the log too.
      if (store_health_.last_commit_ok) {
        LogError(
            "storing the collection failed; samples are dropped until "
            "it works again",
            {{"err", r.status.message()}});
      }
      store_health_.last_commit_ok = false;
    } else if (!store_health_.last_commit_ok) {
      store_health_.last_commit_ok = true;
      LogInfo("storing the collection works again");
    }
    if (storage_.wal_fsync_ms > 0 &&
        now_ms - last_sync_ms_ >= storage_.wal_fsync_ms) {
      last_sync_ms_ = now_ms;
      Status s = db_->SyncWal();
      if (!s.ok()) LogWarn("WAL fsync failed", {{"err", s.message()}});
    }
  }

  // Worker thread, after the cycle is published: housekeeping (cut,
  // compact, retention) when due. It can take long (at start, compacting
  // imported blocks), so it runs after the cycle's metrics are visible;
  // the next cycle waits for it (one writer at a time).
  void StoreHousekeeping(int64_t now_nanos) {
    const int64_t now_ms = now_nanos / kNanosPerMilli;
    if (now_ms - last_maintain_ms_ < kMaintainEveryMs) return;
    last_maintain_ms_ = now_ms;
    Status s = db_->Maintain(now_ms);
    if (!s.ok()) {
      LogError("store housekeeping failed; retrying later",
               {{"err", s.message()}});
    }
  }

  // Worker thread: deletes events past the retention, then beyond the
  // count limit.
  void PruneEvents(int64_t now_ms, int64_t retention_ms, int64_t max_events) {
    if (now_ms - last_prune_ms_ < kMaintainEveryMs) return;
    last_prune_ms_ = now_ms;
    Result<int64_t> n = state_->PruneEvents(now_ms - retention_ms, max_events);
    if (!n.ok()) {
      LogWarn("pruning events failed", {{"err", n.status().message()}});
    }
  }

  static bool RemediesEqual(const TendConfig& a, const TendConfig& b) {
    TendConfig x, y;
    x.supervise = a.supervise;
    x.remedies = a.remedies;
    y.supervise = b.supervise;
    y.remedies = b.remedies;
    return TendConfigSchema().Equal(x, y);
  }

  static bool ProbesEqual(const TendConfig& a, const TendConfig& b) {
    TendConfig x, y;
    x.probes = a.probes;
    y.probes = b.probes;
    return TendConfigSchema().Equal(x, y);
  }

  std::string ConfigName() const {
    return options_.config_path.empty() ? "(built-in defaults)"
                                        : options_.config_path;
  }

  static std::string FormatMillis(int64_t ms) {
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
  }

  // The config's log settings, unless a command-line flag overrides them.
  void ApplyLogConfig(const TendConfig& c) const {
    Result<LogLevel> level = ParseLogLevel(options_.log_level_override.empty()
                                               ? c.log.level
                                               : options_.log_level_override);
    if (level.ok()) SetLogLevel(*level);
    Result<LogFormat> format = ParseLogFormat(
        options_.log_format_override.empty() ? c.log.format
                                             : options_.log_format_override);
    if (format.ok()) SetLogFormat(*format);
  }

  // Loop thread. Applies a new configuration, or keeps the old one and
  // returns the errors.
  Status Reload() {
    Result<TendConfig> next = LoadConfig();
    if (!next.ok()) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++shared_.reload_failures;
        shared_.last_reload_error = next.status().message();
      }
      LogError("configuration reload failed; keeping the running one",
               {{"config", ConfigName()}, {"err", next.status().message()}});
      return next.status();
    }
    TendConfig c = std::move(next).value();
    if (!options_.listen_override.empty()) {
      c.agent.listen = options_.listen_override;
    }
    if (c.agent.listen != config_.agent.listen) {
      LogWarn("agent.listen changed; it takes effect at the next restart",
              {{"running", config_.agent.listen}, {"new", c.agent.listen}});
      c.agent.listen = config_.agent.listen;
    }
    if (c.storage.enabled != config_.storage.enabled ||
        c.storage.wal_fsync_ms != config_.storage.wal_fsync_ms ||
        c.storage.retention_ms != config_.storage.retention_ms ||
        c.storage.retention_size != config_.storage.retention_size ||
        c.storage.max_series != config_.storage.max_series ||
        c.storage.block_duration_ms != config_.storage.block_duration_ms) {
      LogWarn("storage settings changed; they take effect at the next restart");
    }
    if (!LogsSchema().Equal(c.logs, config_.logs)) {
      LogWarn(
          "logs settings changed; they take effect at the next restart "
          "(read positions are kept)");
      c.logs = config_.logs;
    }
    if (!ProbesEqual(c, config_)) {
      LogWarn("probes changed; they take effect at the next restart");
      c.probes = config_.probes;
    }
    if (!RemediesEqual(c, config_)) {
      LogWarn(
          "supervise or remedies changed; they take effect at the next "
          "restart");
      c.supervise = config_.supervise;
      c.remedies = config_.remedies;
    }
    if (Status a = alerting_->Reload(c, ConfigDir()); !a.ok()) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        ++shared_.reload_failures;
        shared_.last_reload_error = a.message();
      }
      LogError("configuration reload failed; keeping the running one",
               {{"config", ConfigName()}, {"err", a.message()}});
      return a;
    }
    bool interval_changed = c.agent.interval_ms != config_.agent.interval_ms;
    config_ = std::move(c);
    ApplyLogConfig(config_);
    // The in-flight cycle (if any) keeps its own reference to the old
    // collection; the next tick uses the new one.
    collection_ =
        std::make_shared<Collection>(config_, Env::Default(), Clock::Real());
    if (interval_changed) ScheduleCollection();
    {
      std::lock_guard<std::mutex> lock(mu_);
      shared_.collection = collection_;
      shared_.interval_ms = config_.agent.interval_ms;
      ++shared_.reloads;
      shared_.last_reload_error.clear();
      shared_.config_loaded_unix_nanos = Clock::Real()->NowUnixNanos();
    }
    LogInfo("configuration reloaded", {{"config", ConfigName()}});
    return Status::Ok();
  }

  void ScheduleCollection() {
    if (timer_ != 0) loop_->CancelTimer(timer_);
    const int64_t period = config_.agent.interval_ms * kNanosPerMilli;
    timer_ = loop_->AddTimer(0, period, [this] { Tick(); });
  }

  // Loop thread.
  void Tick() {
    std::shared_ptr<Collection> collection = collection_;
    if (cycle_in_flight_) {
      collection->CountDroppedCycle();
      return;
    }
    cycle_in_flight_ = true;
    const int64_t retention_ms = config_.alerting.events_retention_ms;
    const int64_t max_events = config_.alerting.max_events;
    bool queued = pool_->Submit([this, collection, retention_ms, max_events] {
      auto metrics = std::make_shared<MetricSet>(collection->RunCycle());
      AddAgentMetrics(metrics.get());
      if (logs_) logs_->Collect(metrics.get());
      alerting_->Collect(metrics.get());
      const int64_t now = Clock::Real()->NowUnixNanos();
      if (db_) StoreCycle(metrics.get(), now);
      loop_->Post([this, metrics, now] {
        Publish(std::make_shared<const Snapshot>(std::move(*metrics), now));
      });
      alerting_->Cycle(now / kNanosPerMilli);
      if (db_) StoreHousekeeping(now);
      PruneEvents(now / kNanosPerMilli, retention_ms, max_events);
      loop_->Post([this] { cycle_in_flight_ = false; });
    });
    if (!queued) {
      cycle_in_flight_ = false;
      collection->CountDroppedCycle();
    }
  }

  // Any thread.
  void AddAgentMetrics(MetricSet* out) const {
    bool last_reload_ok;
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_reload_ok = shared_.last_reload_error.empty();
    }
    out->Gauge("tend_build_info", "tend's version and git revision.", 1,
               {{"version", TEND_VERSION}, {"revision", TEND_REVISION}});
    out->Gauge("tend_start_time_seconds",
               "When the agent started, in seconds since the epoch.",
               static_cast<double>(started_unix_nanos_) / 1e9);
    out->Gauge("tend_config_last_reload_successful",
               "Whether the last configuration reload succeeded (1) or was "
               "rejected (0).",
               last_reload_ok ? 1 : 0);
  }

  void Publish(std::shared_ptr<const Snapshot> s) {
    std::lock_guard<std::mutex> lock(mu_);
    shared_.snapshot = std::move(s);
  }

  static constexpr int64_t kMaintainEveryMs = 60 * 1000;
  static constexpr int64_t kStoreStatsEveryMs = 10 * 1000;

  AgentOptions options_;
  TendConfig config_;  // Loop thread.
  // The metric store; null when storage is disabled. Written only by the
  // worker thread (and by Run() after the pool stopped).
  std::unique_ptr<Db> db_;
  std::unique_ptr<StoreWriter> store_writer_;
  // The Prometheus API over db_ (null without a store); used by HTTP threads.
  std::unique_ptr<promql::Engine> engine_;
  std::unique_ptr<PromApi> prom_api_;
  // Logs (null when logs.enabled is false): the pipeline has its own
  // thread; the Loki API reads the store from HTTP threads.
  std::unique_ptr<LogService> logs_;
  std::unique_ptr<LokiApi> loki_api_;
  // The state database (events, alert state, silences, outbox); used from
  // several threads (it serializes itself).
  std::unique_ptr<state::StateDb> state_;
  std::unique_ptr<EventsApi> events_api_;
  // Probes, rules, notifications and remedies (never null after Init).
  std::unique_ptr<AlertingService> alerting_;
  StorageSection storage_;         // As opened (changes need a restart).
  StoreWriteHealth store_health_;  // Worker thread.
  int64_t last_sync_ms_ = 0;       // Worker thread.
  int64_t last_maintain_ms_ = 0;   // Worker thread.
  int64_t last_prune_ms_ = 0;      // Worker thread.
  int64_t last_stats_ms_ = 0;      // Worker thread.
  DbStats store_stats_;            // Worker thread; as of last_stats_ms_.
  std::unique_ptr<DataDirLock> lock_;
  std::unique_ptr<EventLoop> loop_;
  std::unique_ptr<WorkerPool> pool_;
  std::unique_ptr<HttpServer> server_;
  std::shared_ptr<Collection> collection_;  // Loop thread.
  EventLoop::TimerId timer_ = 0;
  bool cycle_in_flight_ = false;    // Loop thread.
  std::string listen_;              // Set before the server serves.
  int64_t started_unix_nanos_ = 0;  // Set before the server serves.

  // What HTTP threads may read: copied here by the loop thread.
  struct Shared {
    std::shared_ptr<const Snapshot> snapshot;
    std::shared_ptr<Collection> collection;
    int64_t interval_ms = 0;
    int64_t config_loaded_unix_nanos = 0;
    uint64_t reloads = 0;
    uint64_t reload_failures = 0;
    std::string last_reload_error;
  };
  mutable std::mutex mu_;
  Shared shared_;  // Guarded by mu_.
};

nlohmann::json AgentImpl::StatusJson() const {
  Shared st;
  {
    std::lock_guard<std::mutex> lock(mu_);
    st = shared_;
  }
  const std::shared_ptr<const Snapshot>& snap = st.snapshot;
  const std::shared_ptr<Collection>& coll = st.collection;
  const int64_t now = Clock::Real()->NowUnixNanos();
  nlohmann::json collectors = nlohmann::json::array();
  for (const CollectorHealth& h : coll->Health()) {
    collectors.push_back({{"name", h.name},
                          {"interval_seconds", h.interval_ms / 1000.0},
                          {"runs", h.runs},
                          {"errors", h.errors},
                          {"last_ok", h.last_ok},
                          {"last_duration_seconds", h.last_duration_ns / 1e9},
                          {"last_error", h.last_error}});
  }
  nlohmann::json data = {
      {"version", TEND_VERSION},
      {"revision", TEND_REVISION},
      {"pid", ::getpid()},
      {"listen", listen_},
      {"data_dir", options_.data_dir},
      {"config_file", ConfigName()},
      {"started_at_unix", started_unix_nanos_ / 1e9},
      {"uptime_seconds", (now - started_unix_nanos_) / 1e9},
      {"config_loaded_at_unix", st.config_loaded_unix_nanos / 1e9},
      {"reloads", st.reloads},
      {"reload_failures", st.reload_failures},
      {"last_reload_error", st.last_reload_error},
      {"interval_seconds", st.interval_ms / 1000.0},
      {"cycles", coll->cycles()},
      {"dropped_cycles", coll->dropped_cycles()},
      {"last_cycle_seconds", coll->last_cycle_duration_ns() / 1e9},
      {"collectors", collectors},
  };
  if (db_) data["tsdb"] = StoreStatsJson(db_->stats());
  if (logs_) data["logs"] = logs_->StatusJson();
  if (snap) {
    const MetricSet& m = snap->metrics();
    double cpus = 0;
    if (const MetricFamily* f = m.Find("node_cpu_seconds_total")) {
      for (const Sample& s : f->samples) {
        for (const Label& l : s.labels) {
          if (l.name == "mode" && l.value == "idle") ++cpus;
        }
      }
    }
    data["last_collection_unix"] = snap->collected_unix_nanos() / 1e9;
    data["series"] = m.SampleCount();
    data["host"] = {
        {"cpus", cpus},
        {"load1", snap->Value("node_load1")},
        {"memory_total_bytes", snap->Value("node_memory_MemTotal_bytes")},
        {"memory_available_bytes",
         snap->Value("node_memory_MemAvailable_bytes")},
        {"root_fs_size_bytes",
         snap->Value("node_filesystem_size_bytes", {{"mountpoint", "/"}})},
        {"root_fs_avail_bytes",
         snap->Value("node_filesystem_avail_bytes", {{"mountpoint", "/"}})},
        {"boot_time_unix", snap->Value("node_boot_time_seconds")},
    };
  }
  return {{"status", "success"}, {"data", data}};
}

Result<std::unique_ptr<Agent>> Agent::Create(const AgentOptions& options) {
  auto impl = std::make_unique<AgentImpl>(options);
  RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<Agent>(new Agent(std::move(impl)));
}

Agent::Agent(std::unique_ptr<AgentImpl> impl) : impl_(std::move(impl)) {}
Agent::~Agent() = default;
Status Agent::Run() { return impl_->Run(); }
void Agent::Stop() { impl_->Stop(); }
int Agent::port() const { return impl_->port(); }

}  // namespace tend
