// Silences over a real state database.
#include "alert/engine/silences.h"

#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>
#include <vector>

#include "alert/engine/engine_test_util.h"
#include "state/state_db.h"

namespace tend::alert {
namespace {

using testing::kMin;
using testing::kT0;

TEST(SilenceMatcherTest, ParsesTheFourOperators) {
  struct Case {
    const char* text;
    LabelMatcher::Type type;
    const char* name;
    const char* value;
  } cases[] = {
      {R"(alertname="HighLoad")", LabelMatcher::Type::kEqual, "alertname",
       "HighLoad"},
      {R"(env!="prod")", LabelMatcher::Type::kNotEqual, "env", "prod"},
      {R"(host=~"web-\\d+")", LabelMatcher::Type::kRegexMatch, "host",
       "web-\\d+"},
      {R"( job !~ "node|api" )", LabelMatcher::Type::kRegexNoMatch, "job",
       "node|api"},
      {R"(severity=critical)", LabelMatcher::Type::kEqual, "severity",
       "critical"},
      {R"(msg="say \"hi\"")", LabelMatcher::Type::kEqual, "msg", "say \"hi\""},
  };
  for (const Case& c : cases) {
    auto m = ParseSilenceMatcher(c.text);
    ASSERT_TRUE(m.ok()) << c.text << ": " << m.status().ToString();
    EXPECT_EQ(m->type(), c.type) << c.text;
    EXPECT_EQ(m->name(), c.name) << c.text;
    EXPECT_EQ(m->value(), c.value) << c.text;
  }
}

TEST(SilenceMatcherTest, RejectsBadMatchersWithWhere) {
  auto m = ParseSilenceMatcher("foo~bar");
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("column 4"), std::string::npos)
      << m.status().message();
  EXPECT_FALSE(ParseSilenceMatcher("").ok());
  EXPECT_FALSE(ParseSilenceMatcher("=\"x\"").ok());
  EXPECT_FALSE(ParseSilenceMatcher("1abc=\"x\"").ok());
  EXPECT_FALSE(ParseSilenceMatcher("a=\"x").ok());
  EXPECT_FALSE(ParseSilenceMatcher("a=\"x\"y\"").ok());
  auto re = ParseSilenceMatcher("a=~\"(\"");
  ASSERT_FALSE(re.ok());
  EXPECT_EQ(re.status().code(), StatusCode::kInvalidArgument);
}

class SilencesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto db = state::StateDb::Open(dir_.path() + "/state.db");
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    db_ = std::move(*db);
    auto s = Silences::Open(db_.get());
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    silences_ = std::move(*s);
  }
  state::SilenceRecord Rec(std::vector<std::string> matchers, int64_t start,
                           int64_t end) {
    state::SilenceRecord r;
    r.matchers = std::move(matchers);
    r.starts_at_ms = start;
    r.ends_at_ms = end;
    r.created_by = "ops";
    r.comment = "maintenance";
    return r;
  }

  testing::TempDir dir_;
  std::unique_ptr<state::StateDb> db_;
  std::unique_ptr<Silences> silences_;
};

TEST_F(SilencesTest, AddMatchesAndExpires) {
  auto id = silences_->Add(Rec({R"(alertname="HighLoad")", R"(host=~"web-.*")"},
                               kT0, kT0 + 60 * kMin),
                           kT0);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_TRUE(std::regex_match(
      *id, std::regex("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                      "[0-9a-f]{12}")))
      << *id;

  Labels web1 = {{"alertname", "HighLoad"}, {"host", "web-1"}};
  Labels db1 = {{"alertname", "HighLoad"}, {"host", "db-1"}};
  EXPECT_EQ(silences_->Mutes(web1, kT0 + kMin), std::vector<std::string>{*id});
  EXPECT_TRUE(silences_->Mutes(db1, kT0 + kMin).empty());
  // Ended: at ends_at the silence is expired.
  EXPECT_TRUE(silences_->Mutes(web1, kT0 + 60 * kMin).empty());

  ASSERT_TRUE(silences_->Expire(*id, kT0 + 2 * kMin).ok());
  EXPECT_TRUE(silences_->Mutes(web1, kT0 + 2 * kMin).empty());
  auto list = silences_->List(kT0 + 2 * kMin);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0].state, SilenceState::kExpired);
  EXPECT_EQ(list[0].record.ends_at_ms, kT0 + 2 * kMin);
  EXPECT_EQ(silences_->Expire(*id, kT0 + 3 * kMin).code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(silences_->Expire("nope", kT0).code(), StatusCode::kNotFound);

  // One event per add and expire.
  auto events = db_->ListEvents({});
  ASSERT_TRUE(events.ok());
  ASSERT_EQ(events->size(), 2u);
  EXPECT_EQ((*events)[0].kind, "silence");
  EXPECT_EQ((*events)[0].outcome, "created");
  EXPECT_EQ((*events)[0].subject, *id);
  EXPECT_EQ((*events)[1].outcome, "expired");
}

TEST_F(SilencesTest, PendingSilenceStatesAndExpiry) {
  auto id = silences_->Add(
      Rec({R"(job="node")"}, kT0 + 10 * kMin, kT0 + 20 * kMin), kT0);
  ASSERT_TRUE(id.ok());
  Labels l = {{"job", "node"}};
  EXPECT_EQ(silences_->List(kT0)[0].state, SilenceState::kPending);
  EXPECT_TRUE(silences_->Mutes(l, kT0).empty());
  EXPECT_EQ(silences_->List(kT0 + 10 * kMin)[0].state, SilenceState::kActive);
  EXPECT_EQ(silences_->Mutes(l, kT0 + 10 * kMin).size(), 1u);
  // Expiring a pending silence makes it expired at once.
  ASSERT_TRUE(silences_->Expire(*id, kT0 + kMin).ok());
  EXPECT_EQ(silences_->List(kT0 + kMin)[0].state, SilenceState::kExpired);
  EXPECT_TRUE(silences_->Mutes(l, kT0 + 15 * kMin).empty());
}

TEST_F(SilencesTest, ValidationErrors) {
  auto check = [&](state::SilenceRecord r, const std::string& want) {
    auto id = silences_->Add(std::move(r), kT0);
    ASSERT_FALSE(id.ok()) << want;
    EXPECT_EQ(id.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(id.status().message().find(want), std::string::npos)
        << id.status().message();
  };
  check(Rec({}, kT0, kT0 + kMin), "at least one matcher");
  check(Rec({R"(a=~".*")", R"(b="")"}, kT0, kT0 + kMin),
        "does not match the empty string");
  check(Rec({R"(a="x")"}, kT0 + 2 * kMin, kT0 + kMin), "end after it starts");
  check(Rec({R"(a="x")"}, kT0 - 2 * kMin, kT0 - kMin), "in the past");
  check(Rec({R"(a~"x")"}, kT0, kT0 + kMin), "bad matcher a~\"x\": expected");
  state::SilenceRecord no_author = Rec({R"(a="x")"}, kT0, kT0 + kMin);
  no_author.created_by.clear();
  check(no_author, "created_by");
  EXPECT_TRUE(silences_->List(kT0).empty());
  auto events = db_->ListEvents({});
  ASSERT_TRUE(events.ok());
  EXPECT_TRUE(events->empty());
}

TEST_F(SilencesTest, StartInThePastBecomesNowAndSurvivesReopen) {
  auto id = silences_->Add(Rec({R"(a="x")"}, 0, kT0 + kMin), kT0);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(silences_->List(kT0)[0].record.starts_at_ms, kT0);
  // Another instance over the same database sees it.
  auto other = Silences::Open(db_.get());
  ASSERT_TRUE(other.ok());
  EXPECT_EQ((*other)->Mutes({{"a", "x"}}, kT0), std::vector<std::string>{*id});
  ASSERT_TRUE(silences_->Expire(*id, kT0 + 1).ok());
  ASSERT_TRUE((*other)->Reload().ok());
  EXPECT_TRUE((*other)->Mutes({{"a", "x"}}, kT0 + 2).empty());
}

TEST_F(SilencesTest, UuidsAreUnique) {
  std::set<std::string> ids;
  for (int i = 0; i < 1000; ++i) ids.insert(NewUuidV4());
  EXPECT_EQ(ids.size(), 1000u);
}

}  // namespace
}  // namespace tend::alert
