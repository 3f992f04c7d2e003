#include "logs/process/condition.h"

#include <charconv>
#include <utility>
#include <variant>

#include "logs/logql/label_filter_eval.h"
#include "logs/logql/parser.h"

namespace tend::logs {
namespace {

// The condition is parsed as the label filter stage of this query.
constexpr std::string_view kPrefix = "{__x__=\"x\"} | ";

// Rewrites "parse error at line 1, col N: ..." so N counts from the start
// of the condition rather than of the wrapped query.
std::string ShiftColumn(const std::string& message) {
  constexpr std::string_view kAt = "line 1, col ";
  size_t at = message.find(kAt);
  if (at == std::string::npos) return message;
  size_t begin = at + kAt.size();
  size_t end = begin;
  int col = 0;
  auto [ptr, ec] = std::from_chars(message.data() + begin,
                                   message.data() + message.size(), col);
  if (ec != std::errc()) return message;
  end = static_cast<size_t>(ptr - message.data());
  int shifted = col - static_cast<int>(kPrefix.size());
  if (shifted < 1) shifted = 1;
  return message.substr(0, at) + "col " + std::to_string(shifted) +
         message.substr(end);
}

const char* StageName(const logql::Stage& stage) {
  switch (stage.index()) {
    case 0:
      return "a line filter";
    case 1:
      return "a parser stage";
    case 2:
      return "a label filter";
    case 3:
      return "line_format";
    case 4:
      return "label_format";
    case 5:
      return "drop/keep";
    default:
      return "decolorize";
  }
}

// Presents a record to EvalLabelFilter. Lives on the stack of one Eval.
class RecordContext final : public logql::LabelFilterContext {
 public:
  explicit RecordContext(const LogRecord& record) : record_(record) {}

  std::optional<std::string_view> Get(std::string_view name) override {
    return RecordValue(record_, RecordAttrFromName(name), name, &buf_);
  }
  std::string_view error() override { return error_; }
  void SetError(std::string_view error, std::string_view) override {
    // The evaluator passes static text; keeping the view is safe.
    error_ = error;
  }

 private:
  const LogRecord& record_;
  RecordValueBuffer buf_;
  std::string_view error_;
};

}  // namespace

RecordAttr RecordAttrFromName(std::string_view name) {
  if (name == "message") return RecordAttr::kMessage;
  if (name == "app") return RecordAttr::kApp;
  if (name == "host") return RecordAttr::kHost;
  if (name == "level") return RecordAttr::kLevel;
  if (name == "pid") return RecordAttr::kPid;
  if (name == "source") return RecordAttr::kSource;
  if (name == "parse_error") return RecordAttr::kParseError;
  return RecordAttr::kNone;
}

std::optional<std::string_view> RecordValue(const LogRecord& record,
                                            RecordAttr attr,
                                            std::string_view name,
                                            RecordValueBuffer* buf) {
  auto non_empty = [](const std::string& s) -> std::optional<std::string_view> {
    if (s.empty()) return std::nullopt;
    return std::string_view(s);
  };
  switch (attr) {
    case RecordAttr::kMessage:
      return non_empty(record.message);
    case RecordAttr::kApp:
      return non_empty(record.app);
    case RecordAttr::kHost:
      return non_empty(record.host);
    case RecordAttr::kSource:
      return non_empty(record.source);
    case RecordAttr::kLevel:
      return LevelName(record.level);
    case RecordAttr::kParseError:
      return record.parse_error ? std::string_view("true")
                                : std::string_view("false");
    case RecordAttr::kPid: {
      if (record.pid < 0) return std::nullopt;
      auto [ptr, ec] =
          std::to_chars(buf->text, buf->text + sizeof(buf->text), record.pid);
      if (ec != std::errc()) return std::nullopt;
      return std::string_view(buf->text, static_cast<size_t>(ptr - buf->text));
    }
    case RecordAttr::kNone:
      break;
  }
  const std::string* v = record.fields.Find(name);
  if (v == nullptr) return std::nullopt;
  return std::string_view(*v);
}

Result<Condition> Condition::Parse(std::string_view text) {
  auto quoted = [&] { return "condition \"" + std::string(text) + "\": "; };
  size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) {
    return InvalidArgumentError(
        "condition is empty: write a label filter such as level=\"error\"");
  }
  std::string query(kPrefix);
  query.append(text);
  Result<std::unique_ptr<logql::Expr>> parsed = logql::ParseLogQL(query);
  if (!parsed.ok()) {
    return InvalidArgumentError(quoted() +
                                ShiftColumn(parsed.status().message()));
  }
  std::shared_ptr<const logql::Expr> expr(std::move(parsed).value());
  if (expr->kind != logql::ExprKind::kLogQuery) {
    return InvalidArgumentError(
        quoted() +
        "is not a label filter expression (it parses as a metric "
        "query)");
  }
  const auto& log_query = static_cast<const logql::LogQueryExpr&>(*expr);
  if (log_query.pipeline.size() != 1) {
    return InvalidArgumentError(
        quoted() + "must be one label filter expression, found " +
        std::to_string(log_query.pipeline.size()) +
        " pipeline stages (join filters with `and` / `or`, not `|`)");
  }
  const logql::Stage& stage = log_query.pipeline[0];
  const auto* filter = std::get_if<logql::LabelFilter>(&stage);
  if (filter == nullptr) {
    return InvalidArgumentError(quoted() + "is " + StageName(stage) +
                                ", expected a label filter expression such "
                                "as level=\"error\" or status >= 500");
  }
  Condition c;
  c.text_ = std::string(text);
  c.expr_ = std::move(expr);
  c.filter_ = filter;
  return c;
}

bool Condition::Eval(const LogRecord& record, bool* conversion_error) const {
  RecordContext ctx(record);
  bool keep = logql::EvalLabelFilter(*filter_, ctx);
  bool failed = !ctx.error().empty();
  if (conversion_error != nullptr) *conversion_error = failed;
  return keep && !failed;
}

}  // namespace tend::logs
