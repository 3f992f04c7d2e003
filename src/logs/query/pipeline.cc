#include "logs/query/pipeline.h"

#include <re2/re2.h>

#include "logs/logql/label_filter_eval.h"

namespace tend::logql {

PipelineRunner::PipelineRunner(const Pipeline& pipeline)
    : pipeline_(pipeline), json_pointers_(pipeline.size()) {
  for (size_t i = 0; i < pipeline.size(); ++i) {
    const Stage& s = pipeline[i];
    if (!std::holds_alternative<LineFilter>(s) &&
        !std::holds_alternative<logql::Decolorize>(s)) {
      needs_labels_ = true;
    }
    if (const auto* p = std::get_if<ParserStage>(&s)) {
      if (p->kind == ParserKind::kJson) {
        for (const Extraction& e : p->extractions) {
          json_pointers_[i].push_back(JsonPointer(e.path));
        }
      }
    }
  }
}

void PipelineRunner::EnsureLabels() {
  if (!labels_ready_ && stream_ != nullptr) {
    labels_.Reset(*stream_);
    labels_ready_ = true;
  }
}

std::string& PipelineRunner::SpareBuffer() {
  return line_.data() == bufs_[0].data() ? bufs_[1] : bufs_[0];
}

bool PipelineRunner::LineFilterKeeps(const LineFilter& f) const {
  bool any = false;
  switch (f.op) {
    case LineFilterOp::kContains:
    case LineFilterOp::kNotContains:
      for (const std::string& v : f.values) {
        if (line_.find(v) != std::string_view::npos) {
          any = true;
          break;
        }
      }
      return f.op == LineFilterOp::kContains ? any : !any;
    case LineFilterOp::kRegex:
    case LineFilterOp::kNotRegex:
      for (const RegexPtr& re : f.regexes) {
        if (re2::RE2::PartialMatch(re2::StringPiece(line_.data(), line_.size()),
                                   *re)) {
          any = true;
          break;
        }
      }
      return f.op == LineFilterOp::kRegex ? any : !any;
  }
  return true;
}

void PipelineRunner::RunParser(const ParserStage& p, size_t stage_index) {
  switch (p.kind) {
    case ParserKind::kJson:
      if (p.extractions.empty()) {
        extractor_.JsonAll(line_, &labels_);
      } else {
        extractor_.JsonPaths(p, json_pointers_[stage_index], line_, &labels_);
      }
      return;
    case ParserKind::kLogfmt:
      extractor_.Logfmt(p, line_, &labels_);
      return;
    case ParserKind::kRegexp:
      extractor_.Regexp(p, line_, &labels_);
      return;
    case ParserKind::kPattern:
      extractor_.Pattern(p, line_, &labels_);
      return;
    case ParserKind::kUnpack: {
      std::string& out = SpareBuffer();
      if (extractor_.Unpack(line_, &labels_, &out)) line_ = out;
      return;
    }
  }
}

void PipelineRunner::RunLineFormat(const LineFormat& f) {
  std::string& out = SpareBuffer();
  out.clear();
  if (!templates_.Run(f.tmpl, labels_, line_, &out, &error_)) {
    labels_.SetError(kTemplateFormatErr, error_);
    return;  // Loki keeps the line unchanged.
  }
  line_ = out;
}

void PipelineRunner::RunLabelFormat(const LabelFormat& f) {
  for (const LabelFormatItem& item : f.items) {
    if (item.rename) {
      auto v = labels_.Get(item.src);
      if (!v.has_value()) continue;
      label_scratch_.resize(1);
      label_scratch_[0].assign(*v);
      labels_.Del(item.src);
      labels_.Set(item.dst, label_scratch_[0]);
      continue;
    }
    std::string& out = SpareBuffer();
    out.clear();
    if (!templates_.Run(item.tmpl, labels_, line_, &out, &error_)) {
      labels_.SetError(kTemplateFormatErr, error_);
      continue;
    }
    labels_.Set(item.dst, out);
  }
}

void PipelineRunner::RunDropKeep(const DropKeep& d) {
  auto item_matches = [](const DropKeepItem& item, std::string_view name,
                         std::string_view value) {
    if (item.matcher.has_value()) {
      return item.matcher->name() == name && item.matcher->Matches(value);
    }
    return item.name == name;
  };
  if (!d.keep) {
    for (const DropKeepItem& item : d.items) {
      const std::string& name =
          item.matcher.has_value() ? item.matcher->name() : item.name;
      auto v = labels_.Get(name);
      if (v.has_value() && item_matches(item, name, *v)) labels_.Del(name);
    }
    return;
  }
  for (size_t i = 0; i < labels_.size();) {
    const Label& l = labels_.at(i);
    bool keep = false;
    for (const DropKeepItem& item : d.items) {
      if (item_matches(item, l.name, l.value)) {
        keep = true;
        break;
      }
    }
    if (keep) {
      ++i;
    } else {
      labels_.Del(l.name);  // Swaps the last label into slot i.
    }
  }
  for (std::string_view name : {kErrorLabel, kErrorDetailsLabel}) {
    auto v = labels_.Get(name);
    if (!v.has_value()) continue;
    bool keep = false;
    for (const DropKeepItem& item : d.items) {
      if (item_matches(item, name, *v)) keep = true;
    }
    if (!keep) labels_.Del(name);
  }
}

// Removes ANSI escape sequences: CSI (ESC '[' parameters final-byte) and
// two-byte ESC sequences, the colour codes terminals and loggers emit.
void PipelineRunner::Decolorize() {
  if (line_.find('\x1b') == std::string_view::npos) return;
  std::string& out = SpareBuffer();
  out.clear();
  for (size_t i = 0; i < line_.size();) {
    if (line_[i] != '\x1b') {
      out.push_back(line_[i++]);
      continue;
    }
    ++i;
    if (i < line_.size() && line_[i] == '[') {
      ++i;
      while (i < line_.size() && static_cast<unsigned char>(line_[i]) >= 0x20 &&
             static_cast<unsigned char>(line_[i]) <= 0x3f) {
        ++i;
      }
      if (i < line_.size() && static_cast<unsigned char>(line_[i]) >= 0x40 &&
          static_cast<unsigned char>(line_[i]) <= 0x7e) {
        ++i;
      }
    } else if (i < line_.size()) {
      ++i;
    }
  }
  line_ = out;
}

bool PipelineRunner::Run(const Labels& stream, std::string_view line) {
  stream_ = &stream;
  line_ = line;
  labels_ready_ = false;
  for (size_t i = 0; i < pipeline_.size(); ++i) {
    const Stage& stage = pipeline_[i];
    if (const auto* f = std::get_if<LineFilter>(&stage)) {
      if (!LineFilterKeeps(*f)) return false;
      continue;
    }
    if (std::holds_alternative<logql::Decolorize>(stage)) {
      Decolorize();
      continue;
    }
    EnsureLabels();
    if (const auto* p = std::get_if<ParserStage>(&stage)) {
      RunParser(*p, i);
    } else if (const auto* lf = std::get_if<LabelFilter>(&stage)) {
      LineLabelsFilterContext ctx(&labels_);
      if (!EvalLabelFilter(*lf, ctx)) return false;
    } else if (const auto* fmt = std::get_if<LineFormat>(&stage)) {
      RunLineFormat(*fmt);
    } else if (const auto* lbf = std::get_if<LabelFormat>(&stage)) {
      RunLabelFormat(*lbf);
    } else if (const auto* dk = std::get_if<DropKeep>(&stage)) {
      RunDropKeep(*dk);
    }
  }
  if (needs_labels_) EnsureLabels();
  return true;
}

}  // namespace tend::logql
