#include "api/loki_api.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "base/clock.h"

namespace tend {
namespace {

constexpr int64_t kNs = 1'000'000'000;
constexpr int64_t kT0 = 1'700'000'000 * kNs;

TEST(LokiParamsTest, TimesInLokisForms) {
  EXPECT_EQ(*ParseLokiTime("", 42), 42);
  EXPECT_EQ(*ParseLokiTime("1700000000", 0), kT0);  // <= 10 digits: seconds.
  EXPECT_EQ(*ParseLokiTime("1700000000000000000", 0), kT0);  // Nanoseconds.
  EXPECT_EQ(*ParseLokiTime("1700000000.5", 0), kT0 + kNs / 2);
  EXPECT_EQ(*ParseLokiTime("2023-11-14T22:13:20Z", 0), kT0);
  EXPECT_EQ(*ParseLokiTime("2023-11-14T22:13:20.25Z", 0), kT0 + kNs / 4);
  Result<int64_t> bad = ParseLokiTime("yesterday", 0);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("yesterday"), std::string::npos);
  EXPECT_FALSE(ParseLokiTime("1e999.", 0).ok());
}

TEST(LokiParamsTest, StepsAsDurationsOrSeconds) {
  EXPECT_EQ(*ParseLokiDuration("15s"), 15 * kNs);
  EXPECT_EQ(*ParseLokiDuration("1m30s"), 90 * kNs);
  EXPECT_EQ(*ParseLokiDuration("0.5"), kNs / 2);
  EXPECT_EQ(*ParseLokiDuration("60"), 60 * kNs);
  EXPECT_FALSE(ParseLokiDuration("0").ok());
  EXPECT_FALSE(ParseLokiDuration("-5s").ok());
  EXPECT_FALSE(ParseLokiDuration("fast").ok());
}

TEST(LokiJsonTest, StreamsInLokisShape) {
  std::vector<logql::LogStream> streams = {
      {{{"app", "a\"b"}, {"source", "s"}},
       {{kT0, "line \"1\"\n"}, {kT0 + 1, "x"}}},
      {{{"source", "t"}}, {}}};
  std::string out = "[";
  AppendStreams(&out, streams);
  out += "]";
  nlohmann::json j = nlohmann::json::parse(out);
  ASSERT_EQ(j.size(), 2u);
  EXPECT_EQ(j[0]["stream"]["app"], "a\"b");
  EXPECT_EQ(j[0]["values"][0][0], "1700000000000000000");
  EXPECT_EQ(j[0]["values"][0][1], "line \"1\"\n");
  EXPECT_EQ(j[0]["values"][1][0], "1700000000000000001");
  EXPECT_TRUE(j[1]["values"].empty());
}

class LokiApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/loki_api_test.XXXXXX";
    dir_ = mkdtemp(tmpl);
    logs::LogStoreOptions o;
    o.fsync = logs::LogFsync::kNever;
    store_ = std::move(*logs::LogStore::Open(dir_, o));
    Labels a = {{"app", "sshd"}, {"source", "auth"}};
    Labels b = {{"app", "cron"}, {"source", "auth"}};
    for (int i = 0; i < 10; ++i) {
      ASSERT_TRUE(
          store_
              ->Append(a, kT0 + i * kNs, "Failed password " + std::to_string(i))
              .ok());
      ASSERT_TRUE(
          store_->Append(b, kT0 + i * kNs, "job " + std::to_string(i)).ok());
    }
    ASSERT_TRUE(store_->Commit().ok());
    api_ = std::make_unique<LokiApi>(store_.get(), &clock_);
  }
  void TearDown() override {
    api_.reset();
    store_.reset();
    std::filesystem::remove_all(dir_);
  }
  HttpResponse Call(void (LokiApi::*fn)(const HttpRequest&, HttpResponse*)
                        const,
                    std::vector<std::pair<std::string, std::string>> params,
                    std::string path = "") {
    HttpRequest req;
    req.path = path;
    for (auto& [k, v] : params) req.params.emplace(k, v);
    HttpResponse res;
    (api_.get()->*fn)(req, &res);
    return res;
  }

  std::string dir_;
  FakeClock clock_{kT0 + 60 * kNs};
  std::unique_ptr<logs::LogStore> store_;
  std::unique_ptr<LokiApi> api_;
};

TEST_F(LokiApiTest, QueryRangeReturnsStreamsNewestFirstWithinLimit) {
  HttpResponse r =
      Call(&LokiApi::QueryRange, {{"query", "{app=\"sshd\"} |= \"Failed\""},
                                  {"start", std::to_string(kT0)},
                                  {"end", std::to_string(kT0 + 100 * kNs)},
                                  {"limit", "3"}});
  ASSERT_EQ(r.status, 200) << r.body;
  nlohmann::json j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["status"], "success");
  EXPECT_EQ(j["data"]["resultType"], "streams");
  const auto& values = j["data"]["result"][0]["values"];
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values[0][1], "Failed password 9");
  EXPECT_EQ(values[2][1], "Failed password 7");
  EXPECT_EQ(j["data"]["stats"]["summary"]["totalEntriesReturned"], 3);
}

TEST_F(LokiApiTest, MetricRangeAndInstantQueries) {
  HttpResponse r =
      Call(&LokiApi::QueryRange,
           {{"query", "sum by (app) (count_over_time({source=\"auth\"}[1m]))"},
            {"start", std::to_string(kT0 + 20 * kNs)},
            {"end", std::to_string(kT0 + 20 * kNs)},
            {"step", "15s"}});
  ASSERT_EQ(r.status, 200) << r.body;
  nlohmann::json j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["data"]["resultType"], "matrix");
  ASSERT_EQ(j["data"]["result"].size(), 2u);
  EXPECT_EQ(j["data"]["result"][0]["metric"]["app"], "cron");
  EXPECT_EQ(j["data"]["result"][0]["values"][0][1], "10");
  HttpResponse health = Call(&LokiApi::Query, {{"query", "vector(1)+vector(1)"},
                                               {"time", "4000000000"}});
  ASSERT_EQ(health.status, 200) << health.body;
  nlohmann::json h = nlohmann::json::parse(health.body);
  EXPECT_EQ(h["data"]["resultType"], "vector");
  EXPECT_EQ(h["data"]["result"][0]["value"][1], "2");
}

TEST_F(LokiApiTest, ErrorsAre400WithTheMessage) {
  HttpResponse bad = Call(&LokiApi::QueryRange, {{"query", "{app="}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.body.find("parse error"), std::string::npos);
  HttpResponse instant_log = Call(&LokiApi::Query, {{"query", "{app=\"x\"}"}});
  EXPECT_EQ(instant_log.status, 400);
  HttpResponse bad_time =
      Call(&LokiApi::QueryRange, {{"query", "{app=\"x\"}"}, {"start", "soon"}});
  EXPECT_EQ(bad_time.status, 400);
  EXPECT_NE(bad_time.body.find("soon"), std::string::npos);
  HttpResponse bad_dir =
      Call(&LokiApi::QueryRange,
           {{"query", "{app=\"x\"}"}, {"direction", "sideways"}});
  EXPECT_EQ(bad_dir.status, 400);
}

TEST_F(LokiApiTest, LabelIndexRoutes) {
  std::vector<std::pair<std::string, std::string>> range = {
      {"start", std::to_string(kT0)}, {"end", std::to_string(kT0 + kNs * 60)}};
  HttpResponse names = Call(&LokiApi::LabelNames, range);
  EXPECT_EQ(nlohmann::json::parse(names.body)["data"],
            nlohmann::json({"app", "source"}));
  HttpResponse values =
      Call(&LokiApi::LabelValues, range, "/loki/api/v1/label/app/values");
  EXPECT_EQ(nlohmann::json::parse(values.body)["data"],
            nlohmann::json({"cron", "sshd"}));
  auto with_query = range;
  with_query.push_back({"query", "{app=\"sshd\"}"});
  HttpResponse filtered =
      Call(&LokiApi::LabelValues, with_query, "/loki/api/v1/label/app/values");
  EXPECT_EQ(nlohmann::json::parse(filtered.body)["data"],
            nlohmann::json({"sshd"}));
  auto series_params = range;
  series_params.push_back({"match[]", "{app=\"cron\"}"});
  HttpResponse series = Call(&LokiApi::Series, series_params);
  nlohmann::json s = nlohmann::json::parse(series.body);
  ASSERT_EQ(s["data"].size(), 1u);
  EXPECT_EQ(s["data"][0]["app"], "cron");
  HttpResponse not_values =
      Call(&LokiApi::LabelValues, range, "/loki/api/v1/label/app");
  EXPECT_EQ(not_values.status, 404);
}

TEST_F(LokiApiTest, TailStreamsTheNewestLinesOldestFirst) {
  HttpResponse r = Call(&LokiApi::Tail, {{"query", "{app=\"sshd\"}"},
                                         {"start", std::to_string(kT0)},
                                         {"limit", "2"}});
  ASSERT_EQ(r.status, 200);
  ASSERT_TRUE(static_cast<bool>(r.stream));
  std::string body;
  r.stream([&](std::string_view chunk) {
    body += chunk;
    return true;
  });
  nlohmann::json j = nlohmann::json::parse(body.substr(0, body.find('\n')));
  const auto& values = j["streams"][0]["values"];
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[0][1], "Failed password 8");
  EXPECT_EQ(values[1][1], "Failed password 9");
}

TEST(WebSocketTest, AcceptKeyAndFramesFollowRfc6455) {
  // The example of RFC 6455 section 1.3.
  EXPECT_EQ(WebSocketAccept("dGhlIHNhbXBsZSBub25jZQ=="),
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  std::string small = WebSocketTextFrame("hi");
  EXPECT_EQ(small, std::string("\x81\x02hi", 4));
  std::string mid = WebSocketTextFrame(std::string(300, 'x'));
  ASSERT_EQ(mid.size(), 4u + 300u);
  EXPECT_EQ(static_cast<unsigned char>(mid[1]), 126);
  EXPECT_EQ((static_cast<unsigned char>(mid[2]) << 8) |
                static_cast<unsigned char>(mid[3]),
            300);
  std::string big = WebSocketTextFrame(std::string(70000, 'y'));
  ASSERT_EQ(big.size(), 10u + 70000u);
  EXPECT_EQ(static_cast<unsigned char>(big[1]), 127);
  uint64_t n = 0;
  for (int i = 2; i < 10; ++i) n = n << 8 | static_cast<unsigned char>(big[i]);
  EXPECT_EQ(n, 70000u);
}

TEST_F(LokiApiTest, TailUpgradesToAWebSocket) {
  HttpRequest req;
  req.params.emplace("query", "{app=\"sshd\"}");
  req.params.emplace("start", std::to_string(kT0));
  req.params.emplace("limit", "2");
  req.headers.emplace("Upgrade", "websocket");
  req.headers.emplace("Connection", "Upgrade");
  req.headers.emplace("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
  HttpResponse res;
  api_->Tail(req, &res);
  ASSERT_EQ(res.status, 101) << res.body;
  EXPECT_TRUE(res.stream_raw);
  EXPECT_EQ(res.headers["Sec-WebSocket-Accept"],
            "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  // The first frame carries the newest lines; the client then "leaves"
  // (the write fails) and the stream ends.
  std::string first;
  res.stream([&](std::string_view chunk) {
    if (!first.empty()) return false;
    first = chunk;
    return true;
  });
  ASSERT_GE(first.size(), 4u);
  EXPECT_EQ(static_cast<unsigned char>(first[0]), 0x81);
  size_t header = static_cast<unsigned char>(first[1]) == 126 ? 4 : 2;
  nlohmann::json j = nlohmann::json::parse(first.substr(header));
  EXPECT_TRUE(j.contains("dropped_entries"));
  const auto& values = j["streams"][0]["values"];
  ASSERT_EQ(values.size(), 2u);
  EXPECT_EQ(values[1][1], "Failed password 9");
  // Only max_tails run at once; the slot of the finished one is free again.
  HttpResponse again;
  api_->Tail(req, &again);
  EXPECT_EQ(again.status, 101);
}

TEST_F(LokiApiTest, TailsBeyondTheLimitAreRefused) {
  HttpRequest req;
  req.params.emplace("query", "{app=\"sshd\"}");
  HttpResponse a, b, c;
  api_->Tail(req, &a);
  api_->Tail(req, &b);
  api_->Tail(req, &c);  // a and b still hold their slots (not run yet).
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(b.status, 200);
  EXPECT_EQ(c.status, 429);
}

}  // namespace
}  // namespace tend
