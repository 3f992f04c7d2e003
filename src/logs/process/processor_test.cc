#include "logs/process/processor.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "logs/process/test_util.h"

namespace tend::logs {
namespace {

using ::testing::HasSubstr;
using testing::ParseAll;
using testing::ParseWith;
using testing::ReadLoghub;

ProcessorChain MustCreate(const std::vector<ProcessorConfig>& configs) {
  Result<ProcessorChain> c = ProcessorChain::Create(configs, "ssh");
  EXPECT_TRUE(c.ok()) << c.status().ToString();
  return std::move(c).value();
}

ProcessorConfig Keep(std::string cond) {
  ProcessorConfig c;
  c.type = ProcessorType::kKeep;
  c.condition = std::move(cond);
  return c;
}
ProcessorConfig Drop(std::string cond) {
  ProcessorConfig c = Keep(std::move(cond));
  c.type = ProcessorType::kDrop;
  return c;
}
ProcessorConfig Sample(uint64_t every, std::string unless) {
  ProcessorConfig c;
  c.type = ProcessorType::kSample;
  c.sample.every = every;
  c.sample.unless = std::move(unless);
  return c;
}

// Runs the chain over the loghub sample `name`; returns the indexes kept.
std::vector<size_t> RunSample(ProcessorChain& chain, const char* name,
                              std::vector<std::string>* lines_out) {
  *lines_out = ReadLoghub(name);
  std::vector<LogRecord> records = ParseAll(ParserKind::kAuto, *lines_out);
  std::vector<size_t> kept;
  for (size_t i = 0; i < records.size(); ++i) {
    std::string line = (*lines_out)[i];
    if (chain.Run(records[i], line) == ProcessorChain::kKeep) kept.push_back(i);
  }
  return kept;
}

TEST(ProcessorTest, KeepAndDropOnOpenSsh) {
  std::vector<std::string> lines;
  ProcessorChain keep = MustCreate({Keep(R"(message=~".*Failed password.*")")});
  std::vector<size_t> kept = RunSample(keep, "OpenSSH_2k.log", &lines);
  ASSERT_EQ(lines.size(), 2000u);
  size_t failed = 0;
  for (const std::string& l : lines) {
    if (l.find("Failed password") != std::string::npos) ++failed;
  }
  EXPECT_EQ(kept.size(), failed);
  for (size_t i : kept) EXPECT_THAT(lines[i], HasSubstr("Failed password"));

  ProcessorChain drop = MustCreate({Drop(R"(message=~".*Failed password.*")")});
  kept = RunSample(drop, "OpenSSH_2k.log", &lines);
  EXPECT_EQ(kept.size(), lines.size() - failed);
  std::vector<ProcessorStats> stats = drop.Stats();
  ASSERT_EQ(stats.size(), 1u);
  EXPECT_EQ(stats[0].records, 2000u);
  EXPECT_EQ(stats[0].dropped, failed);
}

TEST(ProcessorTest, SampleKeepsExactlyOneInNAndEverythingUnless) {
  std::vector<std::string> lines;
  ProcessorChain chain =
      MustCreate({Sample(10, R"(message=~".*Failed password.*")")});
  std::vector<size_t> kept = RunSample(chain, "OpenSSH_2k.log", &lines);
  ASSERT_EQ(lines.size(), 2000u);
  // Independently: every "Failed password" line, plus the 1st, 11th, 21st
  // ... of the others.
  std::vector<size_t> expected;
  size_t others = 0;
  for (size_t i = 0; i < lines.size(); ++i) {
    if (lines[i].find("Failed password") != std::string::npos) {
      expected.push_back(i);
    } else if (others++ % 10 == 0) {
      expected.push_back(i);
    }
  }
  EXPECT_EQ(kept, expected);

  // Without unless: exactly ceil(n / N) of n records.
  for (uint64_t every : {1u, 2u, 7u, 1000u, 5000u}) {
    ProcessorChain plain = MustCreate({Sample(every, "")});
    kept = RunSample(plain, "Linux_2k.log", &lines);
    EXPECT_EQ(kept.size(), (lines.size() + every - 1) / every) << every;
  }
}

TEST(ProcessorTest, RedactChangesLineMessageAndFields) {
  ProcessorConfig redact;
  redact.type = ProcessorType::kRedact;
  redact.redact.rules = {"password", "email"};
  ProcessorChain chain = MustCreate({redact});
  std::string line =
      "level=warn msg=\"login failed for bob@example.com\" password=hunter2 "
      "user=bob";
  LogRecord r = ParseWith(ParserKind::kLogfmt, line);
  ASSERT_NE(r.fields.Find("password"), nullptr);
  ASSERT_EQ(chain.Run(r, line), ProcessorChain::kKeep);
  EXPECT_EQ(line,
            "level=warn msg=\"login failed for <redacted>\" "
            "password=<redacted> user=bob");
  EXPECT_EQ(r.message.find("bob@example.com"), std::string::npos);
  ASSERT_NE(r.fields.Find("msg"), nullptr);
  EXPECT_EQ(*r.fields.Find("msg"), "login failed for <redacted>");
  // A field named like a secret key loses its whole value.
  EXPECT_EQ(*r.fields.Find("password"), "<redacted>");
  ASSERT_NE(r.fields.Find("user"), nullptr);
  EXPECT_EQ(*r.fields.Find("user"), "bob");
  std::vector<ProcessorStats> stats = chain.Stats();
  ASSERT_EQ(stats[0].redactions.size(), 2u);
  EXPECT_EQ(stats[0].redactions[0].first, "password");
  EXPECT_EQ(stats[0].redactions[0].second, 1u);
  EXPECT_EQ(stats[0].redactions[1].second, 1u);
  EXPECT_EQ(stats[0].redacted_records, 1u);
  EXPECT_EQ(stats[0].dropped, 0u);
}

TEST(ProcessorTest, FieldsRenameRemoveAddLevelApp) {
  ProcessorConfig f;
  f.type = ProcessorType::kFields;
  f.fields.rename = {{"svc", "service"}, {"lvl", "severity"}};
  f.fields.remove = {"debug_blob"};
  f.fields.add = {{"env", "prod"}, {"team", "ops"}};
  f.fields.level_from = "severity";
  f.fields.app_from = "service";
  ProcessorChain chain = MustCreate({f});
  std::string line =
      "svc=billing lvl=ERROR debug_blob=xyz service=old env=dev msg=boom";
  LogRecord r = ParseWith(ParserKind::kLogfmt, line);
  ASSERT_EQ(chain.Run(r, line), ProcessorChain::kKeep);
  std::vector<std::string> got;
  for (const Field& field : r.fields)
    got.push_back(field.name + "=" + field.value);
  EXPECT_EQ(got,
            (std::vector<std::string>{"service=billing", "severity=ERROR",
                                      "msg=boom", "env=prod", "team=ops"}));
  EXPECT_EQ(r.level, Level::kError);
  EXPECT_EQ(r.app, "billing");
  // No field to change: adds only, nothing else touched.
  std::string line2 = "msg=hi";
  LogRecord r2 = ParseWith(ParserKind::kLogfmt, line2);
  ASSERT_EQ(chain.Run(r2, line2), ProcessorChain::kKeep);
  EXPECT_EQ(r2.fields.size(), 3u);
  EXPECT_EQ(r2.app, "");
}

TEST(ProcessorTest, ChainStopsAtFirstDropAndExportsMetrics) {
  ProcessorConfig redact;
  redact.type = ProcessorType::kRedact;
  redact.redact.rules = {"email"};
  ProcessorChain chain =
      MustCreate({Drop(R"(app="kernel")"), redact, Keep(R"(level!="debug")")});
  std::vector<std::string> lines;
  std::vector<size_t> kept = RunSample(chain, "Linux_2k.log", &lines);
  size_t kernel = 0;
  for (const std::string& l : lines) {
    if (l.find(" kernel: ") != std::string::npos) ++kernel;
  }
  EXPECT_EQ(kept.size(), lines.size() - kernel);
  std::vector<ProcessorStats> stats = chain.Stats();
  EXPECT_EQ(stats[0].dropped, kernel);
  EXPECT_EQ(stats[1].records, lines.size() - kernel);
  // The sample's only e-mail address is in a kernel line, dropped first.
  EXPECT_EQ(stats[1].redacted_records, 0u);
  MetricSet set;
  chain.Collect(&set);
  const MetricFamily* records = set.Find("tend_logs_processor_records_total");
  ASSERT_NE(records, nullptr);
  ASSERT_EQ(records->samples.size(), 3u);
  EXPECT_EQ(records->samples[0].value, 2000.0);
  EXPECT_EQ(GetLabel(records->samples[0].labels, "source"), "ssh");
  EXPECT_EQ(GetLabel(records->samples[1].labels, "type"), "redact");
  const MetricFamily* red = set.Find("tend_logs_processor_redactions_total");
  ASSERT_NE(red, nullptr);
  EXPECT_EQ(GetLabel(red->samples[0].labels, "rule"), "email");
}

TEST(ProcessorTest, ConditionErrorsAreCountedNotDropped) {
  ProcessorChain chain = MustCreate({Drop("status >= 500")});
  std::string line = "status=- msg=x";
  LogRecord r = ParseWith(ParserKind::kLogfmt, line);
  EXPECT_EQ(chain.Run(r, line), ProcessorChain::kKeep);
  EXPECT_EQ(chain.Stats()[0].condition_errors, 1u);
}

TEST(ProcessorTest, BadConfigurationsNameIndexAndValue) {
  struct Case {
    std::vector<ProcessorConfig> configs;
    std::string want;
  };
  ProcessorConfig bad_redact;
  bad_redact.type = ProcessorType::kRedact;
  bad_redact.redact.rules = {"cards"};
  ProcessorConfig empty_fields;
  empty_fields.type = ProcessorType::kFields;
  ProcessorConfig self_rename;
  self_rename.type = ProcessorType::kFields;
  self_rename.fields.rename = {{"a", "a"}};
  std::vector<Case> cases = {
      {{Keep("level=\"x\""), Keep("status >=")},
       "processor 1 (keep): condition"},
      {{Drop("")}, "processor 0 (drop): condition: condition is empty"},
      {{Sample(0, "")}, "processor 0 (sample): every must be at least 1"},
      {{Sample(2, "|= \"x\"")}, "processor 0 (sample): unless"},
      {{Keep("app=\"a\""), bad_redact},
       "processor 1 (redact): redact: rules[0]: unknown rule \"cards\""},
      {{empty_fields}, "processor 0 (fields): fields: nothing to do"},
      {{self_rename}, "fields: rename[0]: renames \"a\" to itself"},
  };
  for (const Case& c : cases) {
    Result<ProcessorChain> r = ProcessorChain::Create(c.configs);
    ASSERT_FALSE(r.ok()) << c.want;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(r.status().message(), HasSubstr(c.want));
  }
  EXPECT_FALSE(ProcessorTypeFromName("filter").ok());
  EXPECT_EQ(ProcessorTypeFromName("sample").value(), ProcessorType::kSample);
}

}  // namespace
}  // namespace tend::logs
