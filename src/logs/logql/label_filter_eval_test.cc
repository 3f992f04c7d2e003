#include "logs/logql/label_filter_eval.h"

#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "logs/logql/parser.h"

namespace tend::logql {
namespace {

// A line's labels in a map, as a test double of the pipeline's label set.
class MapContext : public LabelFilterContext {
 public:
  MapContext(
      std::initializer_list<std::pair<const std::string, std::string>> labels)
      : labels_(labels) {}
  std::optional<std::string_view> Get(std::string_view name) override {
    auto it = labels_.find(std::string(name));
    if (it == labels_.end()) return std::nullopt;
    return it->second;
  }
  std::string_view error() override { return error_; }
  void SetError(std::string_view error, std::string_view details) override {
    error_ = error;
    details_ = details;
  }
  std::string error_;
  std::string details_;

 private:
  std::map<std::string, std::string> labels_;
};

// Parses `{a="b"} | FILTER` and returns its one label filter stage.
LabelFilter ParseFilter(const std::string& filter) {
  Result<std::unique_ptr<Expr>> expr = ParseLogQL("{a=\"b\"} | " + filter);
  EXPECT_TRUE(expr.ok()) << filter << ": " << expr.status().ToString();
  if (!expr.ok()) return {};
  auto* q = static_cast<LogQueryExpr*>(expr->get());
  EXPECT_EQ(q->pipeline.size(), 1u) << filter;
  const LabelFilter* f = std::get_if<LabelFilter>(&q->pipeline[0]);
  EXPECT_NE(f, nullptr) << filter;
  return f ? *f : LabelFilter{};
}

bool Keep(const std::string& filter, MapContext& ctx) {
  return EvalLabelFilter(ParseFilter(filter), ctx);
}

TEST(LabelFilterEval, StringMatchersUseEmptyForAbsent) {
  MapContext ctx{{"level", "error"}};
  EXPECT_TRUE(Keep("level=\"error\"", ctx));
  EXPECT_FALSE(Keep("level!=\"error\"", ctx));
  EXPECT_TRUE(Keep("level=~\"err.*\"", ctx));
  EXPECT_FALSE(Keep("level=~\"rr\"", ctx));  // Fully anchored.
  EXPECT_TRUE(Keep("missing=\"\"", ctx));
  EXPECT_FALSE(Keep("missing!=\"\"", ctx));
  EXPECT_TRUE(ctx.error_.empty());
}

TEST(LabelFilterEval, NumericComparisons) {
  MapContext ctx{{"status", "503"}, {"neg", "-2.5"}, {"hex", "0x1F"}};
  EXPECT_TRUE(Keep("status >= 500", ctx));
  EXPECT_TRUE(Keep("status > 502.5", ctx));
  EXPECT_FALSE(Keep("status < 500", ctx));
  EXPECT_TRUE(Keep("status == 503", ctx));
  EXPECT_FALSE(Keep("status != 503", ctx));
  EXPECT_TRUE(Keep("neg < 0", ctx));
  EXPECT_TRUE(Keep("hex == 31", ctx));
  // A numeric filter drops a line without the label.
  EXPECT_FALSE(Keep("missing > 1", ctx));
  EXPECT_TRUE(ctx.error_.empty());
}

TEST(LabelFilterEval, ConversionFailureSetsErrorAndKeeps) {
  MapContext ctx{{"status", "abc"}, {"level", "info"}};
  EXPECT_TRUE(Keep("status >= 500", ctx));
  EXPECT_EQ(ctx.error_, "LabelFilterErr");
  EXPECT_NE(ctx.details_.find("abc"), std::string::npos);
  // With an error only __error__ filters can drop the line.
  EXPECT_TRUE(Keep("level=\"debug\"", ctx));
  EXPECT_TRUE(Keep("status > 1000", ctx));
  EXPECT_FALSE(Keep("__error__=\"\"", ctx));
  EXPECT_TRUE(Keep("__error__=\"LabelFilterErr\"", ctx));
}

TEST(LabelFilterEval, DurationsAndBytes) {
  MapContext ctx{{"took", "1.5s"}, {"size", "20KiB"}, {"bad", "1x"}};
  EXPECT_TRUE(Keep("took > 1s", ctx));
  EXPECT_FALSE(Keep("took > 1500ms", ctx));
  EXPECT_TRUE(Keep("took >= 1500ms", ctx));
  EXPECT_TRUE(Keep("size > 20KB", ctx));  // 20480 > 20000.
  EXPECT_FALSE(Keep("size > 20KiB", ctx));
  EXPECT_TRUE(ctx.error_.empty());
  EXPECT_TRUE(Keep("bad > 1s", ctx));
  EXPECT_EQ(ctx.error_, "LabelFilterErr");
}

TEST(LabelFilterEval, AndOrPrecedence) {
  MapContext ctx{{"status", "404"}, {"method", "GET"}};
  EXPECT_TRUE(Keep("status >= 400 and method=\"GET\"", ctx));
  EXPECT_FALSE(Keep("status >= 500 and method=\"GET\"", ctx));
  EXPECT_TRUE(Keep("status >= 500 or method=\"GET\"", ctx));
  EXPECT_FALSE(Keep("status >= 500 or method=\"POST\"", ctx));
  // `and` binds tighter than `or`.
  EXPECT_TRUE(Keep("method=\"GET\" or status >= 500 and method=\"POST\"", ctx));
  EXPECT_TRUE(Keep("status >= 400, method=\"GET\"", ctx));
  EXPECT_FALSE(Keep("status >= 400, method=\"PUT\"", ctx));
}

TEST(LabelFilterEval, AndRunsBothSidesSoTheRightSeesTheError) {
  MapContext ctx{{"status", "x"}};
  // The left side sets the error and keeps the line; the right side tests
  // the error and drops it.
  EXPECT_FALSE(Keep("status > 1 and __error__=\"\"", ctx));
}

TEST(LabelFilterEval, GoFloatAndDuration) {
  EXPECT_EQ(ParseGoFloat("+1.5"), 1.5);
  EXPECT_EQ(ParseGoFloat("-1e3"), -1000.0);
  EXPECT_TRUE(std::isinf(*ParseGoFloat("-Inf")));
  EXPECT_TRUE(std::isnan(*ParseGoFloat("NaN")));
  EXPECT_FALSE(ParseGoFloat("").has_value());
  EXPECT_FALSE(ParseGoFloat("1.5.").has_value());
  EXPECT_FALSE(ParseGoFloat("--1").has_value());
  EXPECT_FALSE(ParseGoFloat("1e999").has_value());
  EXPECT_EQ(ParseSignedGoDuration("-1m30s"), -90'000'000'000);
  EXPECT_FALSE(ParseSignedGoDuration("90").has_value());
}

}  // namespace
}  // namespace tend::logql
