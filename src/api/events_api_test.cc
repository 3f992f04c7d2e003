#include "api/events_api.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

namespace tend {
namespace {

class EventsApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/tend-events-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    auto db = state::StateDb::Open(dir_ + "/state.db");
    ASSERT_TRUE(db.ok()) << db.status().message();
    db_ = std::move(*db);
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Add(int64_t t_ms, const std::string& kind, const std::string& details) {
    state::Event e;
    e.time_ms = t_ms;
    e.kind = kind;
    e.subject = "web";
    e.outcome = "ok";
    e.message = "m";
    e.details_json = details;
    ASSERT_TRUE(db_->AppendEvent(e).ok());
  }

  nlohmann::json Get(std::multimap<std::string, std::string> params,
                     int* status) {
    HttpRequest req;
    req.method = "GET";
    req.path = "/api/v1/events";
    req.params = std::move(params);
    HttpResponse res;
    EventsApi api(db_.get(), &clock_);
    api.Events(req, &res);
    *status = res.status;
    return nlohmann::json::parse(res.body);
  }

  std::string dir_;
  std::unique_ptr<state::StateDb> db_;
  FakeClock clock_{10'000'000'000 * 1'000'000LL};  // 10,000,000 s.
};

TEST_F(EventsApiTest, SinceDurationKindAndShape) {
  const int64_t now = 10'000'000'000;
  Add(now - 7200'000, "alert", "");
  Add(now - 60'000, "alert", R"({"attempt":2})");
  Add(now - 30'000, "remedy", "not json");
  Add(now - 10'000, "notification", "");
  int status = 0;
  nlohmann::json j = Get({{"since", "1h"}, {"kind", "alert,remedy"}}, &status);
  ASSERT_EQ(status, 200);
  ASSERT_EQ(j["data"].size(), 2u);
  EXPECT_EQ(j["data"][0]["kind"], "alert");
  EXPECT_EQ(j["data"][0]["details"]["attempt"], 2);
  EXPECT_EQ(j["data"][0]["time"], FormatRfc3339Millis(now - 60'000));
  EXPECT_EQ(j["data"][1]["details"], "not json");

  j = Get({{"since", "1h"}}, &status);
  EXPECT_EQ(j["data"].size(), 3u);
  j = Get({}, &status);
  EXPECT_EQ(j["data"].size(), 4u);
  j = Get({{"limit", "1"}}, &status);
  ASSERT_EQ(j["data"].size(), 1u);
  EXPECT_EQ(j["data"][0]["kind"], "notification");  // The newest.
}

TEST_F(EventsApiTest, BadParametersAre400) {
  int status = 0;
  nlohmann::json j = Get({{"since", "yesterday"}}, &status);
  EXPECT_EQ(status, 400);
  EXPECT_EQ(j["errorType"], "bad_data");
  EXPECT_NE(j["error"].get<std::string>().find("since"), std::string::npos);
  Get({{"limit", "0"}}, &status);
  EXPECT_EQ(status, 400);
  Get({{"limit", "12x"}}, &status);
  EXPECT_EQ(status, 400);
}

TEST(FormatRfc3339MillisTest, KnownInstants) {
  EXPECT_EQ(FormatRfc3339Millis(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339Millis(1435781451781), "2015-07-01T20:10:51.781Z");
  EXPECT_EQ(FormatRfc3339Millis(-1), "1969-12-31T23:59:59.999Z");
}

}  // namespace
}  // namespace tend
