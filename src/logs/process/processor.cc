#include "logs/process/processor.h"

#include <algorithm>
#include <optional>
#include <unordered_map>

namespace tend::logs {
namespace {

constexpr size_t kMaxFieldName = 256;

using Counter = std::atomic<uint64_t>;

// Counters have one writer (the running thread), so a relaxed load and
// store is enough and avoids a locked instruction per record.
void Bump(Counter& c, uint64_t n = 1) {
  c.store(c.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
}

Status CheckFieldName(std::string_view what, std::string_view name) {
  if (name.empty() || name.size() > kMaxFieldName) {
    return InvalidArgumentError(std::string(what) + ": field name \"" +
                                std::string(name) + "\" must be 1 to " +
                                std::to_string(kMaxFieldName) + " bytes");
  }
  return Status::Ok();
}

Status CheckFields(const FieldsConfig& f) {
  if (f.rename.empty() && f.remove.empty() && f.add.empty() &&
      f.level_from.empty() && f.app_from.empty()) {
    return InvalidArgumentError(
        "fields: nothing to do: give rename, remove, add, level_from or "
        "app_from");
  }
  for (size_t i = 0; i < f.rename.size(); ++i) {
    const std::string where = "fields: rename[" + std::to_string(i) + "]";
    RETURN_IF_ERROR(CheckFieldName(where, f.rename[i].from));
    RETURN_IF_ERROR(CheckFieldName(where, f.rename[i].to));
    if (f.rename[i].from == f.rename[i].to) {
      return InvalidArgumentError(where + ": renames \"" + f.rename[i].from +
                                  "\" to itself");
    }
    for (size_t j = 0; j < i; ++j) {
      if (f.rename[j].from == f.rename[i].from) {
        return InvalidArgumentError(where + ": \"" + f.rename[i].from +
                                    "\" is renamed twice");
      }
    }
  }
  for (size_t i = 0; i < f.remove.size(); ++i) {
    RETURN_IF_ERROR(CheckFieldName("fields: remove[" + std::to_string(i) + "]",
                                   f.remove[i]));
  }
  for (size_t i = 0; i < f.add.size(); ++i) {
    RETURN_IF_ERROR(CheckFieldName("fields: add[" + std::to_string(i) + "]",
                                   f.add[i].name));
  }
  if (!f.level_from.empty()) {
    RETURN_IF_ERROR(CheckFieldName("fields: level_from", f.level_from));
  }
  if (!f.app_from.empty()) {
    RETURN_IF_ERROR(CheckFieldName("fields: app_from", f.app_from));
  }
  return Status::Ok();
}

template <typename T, typename Get>
bool Contains(const std::vector<T>& v, std::string_view name, Get get) {
  for (const T& x : v) {
    if (get(x) == name) return true;
  }
  return false;
}

}  // namespace

struct ProcessorChain::Processor {
  ProcessorType type = ProcessorType::kKeep;
  std::optional<Condition> condition;  // keep / drop; sample's unless.
  std::optional<Redactor> redactor;
  FieldsConfig fields;
  uint64_t every = 1;
  uint64_t seen = 0;  // sample: records counted toward 1 in `every`.
  std::vector<uint64_t> rule_counts;  // redact: scratch per Run.
  std::string value_scratch;          // redact: a field value being redacted.
  // redact: IsSecretKey per field name seen (names repeat line after line;
  // the RE2 full match per field was most of the cost). Bounded.
  std::unordered_map<std::string, bool> secret_key_memo;

  // Shared with Stats/Collect readers; unique_ptr keeps atomics movable.
  struct Counters {
    Counter records{0};
    Counter dropped{0};
    Counter condition_errors{0};
    Counter redacted_records{0};
    std::unique_ptr<Counter[]> redactions;  // One per redaction rule.
  };
  std::unique_ptr<Counters> counters = std::make_unique<Counters>();
};

std::string_view ProcessorTypeName(ProcessorType type) {
  switch (type) {
    case ProcessorType::kKeep:
      return "keep";
    case ProcessorType::kDrop:
      return "drop";
    case ProcessorType::kRedact:
      return "redact";
    case ProcessorType::kFields:
      return "fields";
    case ProcessorType::kSample:
      return "sample";
  }
  return "unknown";
}

Result<ProcessorType> ProcessorTypeFromName(std::string_view name) {
  for (ProcessorType t :
       {ProcessorType::kKeep, ProcessorType::kDrop, ProcessorType::kRedact,
        ProcessorType::kFields, ProcessorType::kSample}) {
    if (ProcessorTypeName(t) == name) return t;
  }
  return InvalidArgumentError("unknown processor type \"" + std::string(name) +
                              "\" (known: keep, drop, redact, fields, sample)");
}

ProcessorChain::ProcessorChain() = default;
ProcessorChain::ProcessorChain(ProcessorChain&&) noexcept = default;
ProcessorChain& ProcessorChain::operator=(ProcessorChain&&) noexcept = default;
ProcessorChain::~ProcessorChain() = default;

size_t ProcessorChain::size() const { return processors_.size(); }

Result<ProcessorChain> ProcessorChain::Create(
    const std::vector<ProcessorConfig>& configs, std::string_view source) {
  ProcessorChain chain;
  chain.source_ = std::string(source);
  for (size_t i = 0; i < configs.size(); ++i) {
    const ProcessorConfig& c = configs[i];
    const std::string where = "processor " + std::to_string(i) + " (" +
                              std::string(ProcessorTypeName(c.type)) + "): ";
    Processor p;
    p.type = c.type;
    switch (c.type) {
      case ProcessorType::kKeep:
      case ProcessorType::kDrop: {
        Result<Condition> cond = Condition::Parse(c.condition);
        if (!cond.ok()) return cond.status().WithContext(where + "condition");
        p.condition = std::move(cond).value();
        break;
      }
      case ProcessorType::kRedact: {
        Result<Redactor> r = Redactor::Create(c.redact);
        if (!r.ok()) {
          return InvalidArgumentError(where + r.status().message());
        }
        p.redactor = std::move(r).value();
        const size_t n = p.redactor->rule_count();
        p.rule_counts.assign(n, 0);
        p.counters->redactions = std::make_unique<Counter[]>(n);
        for (size_t k = 0; k < n; ++k) p.counters->redactions[k].store(0);
        break;
      }
      case ProcessorType::kFields: {
        Status s = CheckFields(c.fields);
        if (!s.ok()) return InvalidArgumentError(where + s.message());
        p.fields = c.fields;
        break;
      }
      case ProcessorType::kSample: {
        if (c.sample.every == 0) {
          return InvalidArgumentError(
              where + "every must be at least 1 (keep 1 record in every N)");
        }
        p.every = c.sample.every;
        if (!c.sample.unless.empty()) {
          Result<Condition> cond = Condition::Parse(c.sample.unless);
          if (!cond.ok()) return cond.status().WithContext(where + "unless");
          p.condition = std::move(cond).value();
        }
        break;
      }
    }
    chain.processors_.push_back(std::move(p));
  }
  return chain;
}

ProcessorChain::Verdict ProcessorChain::Run(LogRecord& record,
                                            std::string& line) {
  for (Processor& p : processors_) {
    Bump(p.counters->records);
    if (RunOne(p, record, line) == kDrop) {
      Bump(p.counters->dropped);
      return kDrop;
    }
  }
  return kKeep;
}

ProcessorChain::Verdict ProcessorChain::RunOne(Processor& p, LogRecord& record,
                                               std::string& line) {
  switch (p.type) {
    case ProcessorType::kKeep:
    case ProcessorType::kDrop: {
      bool conversion_error = false;
      const bool match = p.condition->Eval(record, &conversion_error);
      if (conversion_error) Bump(p.counters->condition_errors);
      const bool keep = p.type == ProcessorType::kKeep ? match : !match;
      return keep ? kKeep : kDrop;
    }
    case ProcessorType::kSample: {
      if (p.condition) {
        bool conversion_error = false;
        const bool match = p.condition->Eval(record, &conversion_error);
        if (conversion_error) Bump(p.counters->condition_errors);
        if (match) return kKeep;
      }
      const bool keep = p.seen % p.every == 0;
      ++p.seen;
      return keep ? kKeep : kDrop;
    }
    case ProcessorType::kRedact:
      Redact(p, record, line);
      return kKeep;
    case ProcessorType::kFields:
      EditFields(p.fields, record);
      return kKeep;
  }
  return kKeep;
}

void ProcessorChain::Redact(Processor& p, LogRecord& record,
                            std::string& line) {
  Redactor& r = *p.redactor;
  std::fill(p.rule_counts.begin(), p.rule_counts.end(), 0);
  const size_t line_changes = r.Apply(&line, p.rule_counts.data());
  size_t changed = line_changes;
  // A value that occurs verbatim in a line with nothing to redact is taken
  // as clean without scanning it again: the parsers copy the message and
  // most field values straight out of the line. (A rule whose match depends
  // on context outside the value could in theory match the value alone;
  // the stored line, which is what is kept, was scanned in full.)
  auto clean_in_line = [&](std::string_view v) {
    return line_changes == 0 && line.find(v) != std::string::npos;
  };
  if (!clean_in_line(record.message)) {
    changed += r.Apply(&record.message, nullptr);
  }
  // Fields are rebuilt only when a value changes (FieldList has no
  // in-place edit); the copy into value_scratch keeps capacity.
  bool fields_changed = false;
  for (size_t i = 0; i < record.fields.size(); ++i) {
    const Field& field = record.fields[i];
    bool secret;
    auto memo = p.secret_key_memo.find(field.name);
    if (memo != p.secret_key_memo.end()) {
      secret = memo->second;
    } else {
      secret = r.IsSecretKey(field.name);
      if (p.secret_key_memo.size() < 4096) {
        p.secret_key_memo.emplace(field.name, secret);
      }
    }
    if (secret) {
      if (field.value == r.marker()) continue;
      p.value_scratch.assign(r.marker());
    } else {
      if (clean_in_line(field.value)) continue;
      p.value_scratch.assign(field.value);
      if (r.Apply(&p.value_scratch, nullptr) == 0) continue;
    }
    if (!fields_changed) {
      fields_changed = true;
      field_scratch_.resize(record.fields.size());
      for (size_t k = 0; k < record.fields.size(); ++k) {
        field_scratch_[k].name.assign(record.fields[k].name);
        field_scratch_[k].value.assign(record.fields[k].value);
      }
    }
    field_scratch_[i].value.swap(p.value_scratch);
  }
  if (fields_changed) {
    const size_t n = record.fields.size();
    record.fields.Clear();
    for (size_t k = 0; k < n; ++k) {
      record.fields.Add(field_scratch_[k].name, field_scratch_[k].value);
    }
    ++changed;
  }
  if (changed == 0) return;
  Bump(p.counters->redacted_records);
  for (size_t k = 0; k < p.rule_counts.size(); ++k) {
    if (p.rule_counts[k] != 0) {
      Bump(p.counters->redactions[k], p.rule_counts[k]);
    }
  }
}

void ProcessorChain::EditFields(const FieldsConfig& c, LogRecord& record) {
  auto from_of = [](const FieldRename& r) -> std::string_view {
    return r.from;
  };
  auto name_of = [](const std::string& s) -> std::string_view { return s; };
  auto field_name = [](const Field& f) -> std::string_view { return f.name; };
  // Does any existing field need renaming, removing or replacing?
  bool rebuild = false;
  for (const Field& f : record.fields) {
    if (Contains(c.rename, f.name, from_of) ||
        Contains(c.remove, f.name, name_of) ||
        Contains(c.add, f.name, field_name)) {
      rebuild = true;
      break;
    }
  }
  if (rebuild) {
    // Which renames apply (their `to` then replaces existing fields).
    auto renamed_to = [&](std::string_view name) {
      for (const FieldRename& r : c.rename) {
        if (r.to == name && record.fields.Find(r.from) != nullptr) return true;
      }
      return false;
    };
    size_t n = 0;
    for (const Field& f : record.fields) {
      std::string_view name = f.name;
      bool renamed = false;
      for (const FieldRename& r : c.rename) {
        if (r.from == name) {
          name = r.to;
          renamed = true;
          break;
        }
      }
      if (!renamed && renamed_to(name)) continue;
      if (Contains(c.remove, name, name_of)) continue;
      if (Contains(c.add, name, field_name)) continue;
      if (field_scratch_.size() <= n) field_scratch_.resize(n + 1);
      field_scratch_[n].name.assign(name);
      field_scratch_[n].value.assign(f.value);
      ++n;
    }
    record.fields.Clear();
    for (size_t k = 0; k < n; ++k) {
      record.fields.Add(field_scratch_[k].name, field_scratch_[k].value);
    }
  }
  for (const Field& f : c.add) record.fields.Add(f.name, f.value);
  if (!c.level_from.empty()) {
    if (const std::string* v = record.fields.Find(c.level_from)) {
      Level level = LevelFromWord(*v);
      if (level != Level::kUnknown) record.level = level;
    }
  }
  if (!c.app_from.empty()) {
    const std::string* v = record.fields.Find(c.app_from);
    if (v != nullptr && !v->empty()) record.app.assign(*v);
  }
}

std::vector<ProcessorStats> ProcessorChain::Stats() const {
  std::vector<ProcessorStats> out;
  out.reserve(processors_.size());
  for (const Processor& p : processors_) {
    ProcessorStats s;
    s.type = p.type;
    s.records = p.counters->records.load(std::memory_order_relaxed);
    s.dropped = p.counters->dropped.load(std::memory_order_relaxed);
    s.condition_errors =
        p.counters->condition_errors.load(std::memory_order_relaxed);
    s.redacted_records =
        p.counters->redacted_records.load(std::memory_order_relaxed);
    if (p.redactor) {
      for (size_t k = 0; k < p.redactor->rule_count(); ++k) {
        s.redactions.emplace_back(
            std::string(p.redactor->rule_name(k)),
            p.counters->redactions[k].load(std::memory_order_relaxed));
      }
    }
    out.push_back(std::move(s));
  }
  return out;
}

void ProcessorChain::Collect(MetricSet* out) const {
  const std::vector<ProcessorStats> stats = Stats();
  for (size_t i = 0; i < stats.size(); ++i) {
    const ProcessorStats& s = stats[i];
    Labels labels;
    labels.push_back({"processor", std::to_string(i)});
    if (!source_.empty()) labels.push_back({"source", source_});
    labels.push_back({"type", std::string(ProcessorTypeName(s.type))});
    out->Counter("tend_logs_processor_records_total",
                 "Log records that reached the processor.",
                 static_cast<double>(s.records), labels);
    out->Counter("tend_logs_processor_dropped_total",
                 "Log records the processor dropped.",
                 static_cast<double>(s.dropped), labels);
    if (s.type == ProcessorType::kKeep || s.type == ProcessorType::kDrop ||
        s.type == ProcessorType::kSample) {
      out->Counter("tend_logs_processor_condition_errors_total",
                   "Conditions that were false because a value did not "
                   "convert (e.g. status >= 500 on status=\"-\").",
                   static_cast<double>(s.condition_errors), labels);
    }
    for (const auto& [rule, n] : s.redactions) {
      Labels with_rule = labels;
      with_rule.push_back({"rule", rule});
      CanonicalizeLabels(&with_rule);
      out->Counter("tend_logs_processor_redactions_total",
                   "Replacements made in stored log lines, per rule.",
                   static_cast<double>(n), std::move(with_rule));
    }
  }
}

}  // namespace tend::logs
