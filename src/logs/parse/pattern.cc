#define PCRE2_CODE_UNIT_WIDTH 8
#include "logs/parse/pattern.h"

#include <pcre2.h>
#include <re2/re2.h>

#include <algorithm>
#include <vector>

#include "logs/parse/text_util.h"
#include "logs/parse/well_known.h"

namespace tend::logs {
namespace {

struct Group {
  int number = 0;
  std::string name;
  WellKnown special = WellKnown::kNone;
};

WellKnown SpecialName(std::string_view name) {
  if (name == "time") return WellKnown::kTime;
  if (name == "level") return WellKnown::kLevel;
  if (name == "message") return WellKnown::kMessage;
  if (name == "host") return WellKnown::kHost;
  if (name == "app") return WellKnown::kApp;
  if (name == "pid") return WellKnown::kPid;
  return WellKnown::kNone;
}

Group MakeGroup(int number, std::string name) {
  Group g;
  g.number = number;
  g.special = SpecialName(name);
  g.name = std::move(name);
  return g;
}

// Applies one captured group to the record (special names) or fields.
void ApplyGroup(const Group& g, std::string_view value,
                const ParseOptions& options, LogRecord* out) {
  if (g.special == WellKnown::kMessage) {
    out->message.assign(value);
    return;
  }
  if (g.special != WellKnown::kNone &&
      ApplyWellKnown(g.special, value, options, out)) {
    return;
  }
  out->fields.Add(g.name, value);
}

class Pcre2Parser final : public PatternParser {
 public:
  ~Pcre2Parser() override {
    if (match_data_ != nullptr) pcre2_match_data_free(match_data_);
    if (context_ != nullptr) pcre2_match_context_free(context_);
    if (jit_stack_ != nullptr) pcre2_jit_stack_free(jit_stack_);
    if (code_ != nullptr) pcre2_code_free(code_);
  }

  Status Init(const PatternOptions& o) {
    int err = 0;
    PCRE2_SIZE offset = 0;
    code_ = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(o.pattern.data()),
                          o.pattern.size(), PCRE2_UTF | PCRE2_MATCH_INVALID_UTF,
                          &err, &offset, nullptr);
    if (code_ == nullptr) {
      PCRE2_UCHAR buf[256];
      pcre2_get_error_message(err, buf, sizeof(buf));
      return InvalidArgumentError(
          "pattern: offset " + std::to_string(offset) + ": " +
          std::string(reinterpret_cast<const char*>(buf)));
    }
    // JIT is an optimisation: without it (unsupported CPU, W^X policy)
    // the interpreter gives the same results.
    if (pcre2_jit_compile(code_, PCRE2_JIT_COMPLETE) == 0) {
      jit_stack_ = pcre2_jit_stack_create(32 * 1024, 512 * 1024, nullptr);
    }
    context_ = pcre2_match_context_create(nullptr);
    match_data_ = pcre2_match_data_create_from_pattern(code_, nullptr);
    if (context_ == nullptr || match_data_ == nullptr) {
      return ResourceExhaustedError("pattern: out of memory");
    }
    pcre2_set_match_limit(context_, o.match_limit);
    pcre2_set_depth_limit(context_, o.depth_limit);
    if (jit_stack_ != nullptr) {
      pcre2_jit_stack_assign(context_, nullptr, jit_stack_);
    }
    uint32_t count = 0, entry_size = 0;
    PCRE2_SPTR table = nullptr;
    pcre2_pattern_info(code_, PCRE2_INFO_NAMECOUNT, &count);
    pcre2_pattern_info(code_, PCRE2_INFO_NAMEENTRYSIZE, &entry_size);
    pcre2_pattern_info(code_, PCRE2_INFO_NAMETABLE, &table);
    for (uint32_t i = 0; i < count; ++i) {
      const PCRE2_SPTR e = table + i * entry_size;
      const int number = (e[0] << 8) | e[1];
      groups_.push_back(
          MakeGroup(number, std::string(reinterpret_cast<const char*>(e + 2))));
    }
    std::sort(
        groups_.begin(), groups_.end(),
        [](const Group& a, const Group& b) { return a.number < b.number; });
    return Status::Ok();
  }

  bool Parse(std::string_view line, const ParseOptions& options,
             LogRecord* out) override {
    const std::string_view full = line;
    line = TrimLineEnd(line);
    const int rc = pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(line.data()),
                               line.size(), 0, 0, match_data_, context_);
    if (rc == PCRE2_ERROR_NOMATCH) {
      return SetUnparsed(full, "pattern: no match", options, out);
    }
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
        rc == PCRE2_ERROR_JIT_STACKLIMIT || rc == PCRE2_ERROR_HEAPLIMIT) {
      return SetUnparsed(full, "pattern: match limit exceeded", options, out);
    }
    if (rc < 0) return SetUnparsed(full, "pattern: match error", options, out);
    BeginRecord(options, out);
    const PCRE2_SIZE* ov = pcre2_get_ovector_pointer(match_data_);
    const uint32_t pairs = pcre2_get_ovector_count(match_data_);
    for (const Group& g : groups_) {
      if (static_cast<uint32_t>(g.number) >= pairs) continue;
      const PCRE2_SIZE b = ov[2 * g.number], e = ov[2 * g.number + 1];
      if (b == PCRE2_UNSET || e < b) continue;
      ApplyGroup(g, line.substr(b, e - b), options, out);
    }
    internal::EnsureMessage(line.empty() ? full : line, out);
    return true;
  }

 private:
  pcre2_code* code_ = nullptr;
  pcre2_jit_stack* jit_stack_ = nullptr;
  pcre2_match_context* context_ = nullptr;
  pcre2_match_data* match_data_ = nullptr;
  std::vector<Group> groups_;
};

class Re2Parser final : public PatternParser {
 public:
  Status Init(const PatternOptions& o) {
    RE2::Options opts;
    opts.set_log_errors(false);
    re_ = std::make_unique<RE2>(o.pattern, opts);
    if (!re_->ok()) {
      const size_t at = o.pattern.find(re_->error_arg());
      return InvalidArgumentError(
          "pattern: offset " +
          std::to_string(at == std::string::npos ? 0 : at) + ": " +
          re_->error());
    }
    for (const auto& [name, number] : re_->NamedCapturingGroups()) {
      groups_.push_back(MakeGroup(number, name));
    }
    std::sort(
        groups_.begin(), groups_.end(),
        [](const Group& a, const Group& b) { return a.number < b.number; });
    submatch_.resize(1 + re_->NumberOfCapturingGroups());
    return Status::Ok();
  }

  bool Parse(std::string_view line, const ParseOptions& options,
             LogRecord* out) override {
    const std::string_view full = line;
    line = TrimLineEnd(line);
    if (!re_->Match(re2::StringPiece(line.data(), line.size()), 0, line.size(),
                    RE2::UNANCHORED, submatch_.data(),
                    static_cast<int>(submatch_.size()))) {
      return SetUnparsed(full, "pattern: no match", options, out);
    }
    BeginRecord(options, out);
    for (const Group& g : groups_) {
      const re2::StringPiece& m = submatch_[g.number];
      if (m.data() == nullptr) continue;
      ApplyGroup(g, std::string_view(m.data(), m.size()), options, out);
    }
    internal::EnsureMessage(line.empty() ? full : line, out);
    return true;
  }

 private:
  std::unique_ptr<RE2> re_;
  std::vector<Group> groups_;
  std::vector<re2::StringPiece> submatch_;
};

}  // namespace

Result<std::unique_ptr<PatternParser>> PatternParser::Create(
    const PatternOptions& options) {
  if (options.engine == RegexEngine::kRe2) {
    auto p = std::make_unique<Re2Parser>();
    Status s = p->Init(options);
    if (!s.ok()) return s;
    return std::unique_ptr<PatternParser>(std::move(p));
  }
  auto p = std::make_unique<Pcre2Parser>();
  Status s = p->Init(options);
  if (!s.ok()) return s;
  return std::unique_ptr<PatternParser>(std::move(p));
}

}  // namespace tend::logs
