#include "config/yaml_document.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>

#include <exception>
#include <sstream>
#include <string>

#include "config/yaml_text.h"

namespace tend {
namespace {

// Records where each document starts; builds nothing.
class DocumentStarts : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override { last_ = mark; }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}

  const YAML::Mark& last() const { return last_; }

 private:
  YAML::Mark last_;
};

void AddAt(ConfigErrors* errors, const YAML::Mark& mark, std::string message) {
  errors->Add(LineOf(mark), ColumnOf(mark), "", std::move(message));
}

struct Probe {
  int documents = 0;
  YAML::Mark second;  // Where the second document starts.
  bool stuck = false;
  YAML::Mark stuck_at;
};

// Counts the documents of `text` without building them. Throws what
// yaml-cpp throws.
Probe CountDocuments(const std::string& text) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  DocumentStarts starts;
  Probe probe;
  int previous_pos = -1;
  // Every real document consumes input, so more documents than bytes also
  // means the parser is looping (in a way the position test missed).
  const size_t max_documents = text.size() + 1;
  while (parser.HandleNextDocument(starts)) {
    if (starts.last().pos == previous_pos ||
        static_cast<size_t>(probe.documents) >= max_documents) {
      probe.stuck = true;
      probe.stuck_at = starts.last();
      return probe;
    }
    previous_pos = starts.last().pos;
    if (++probe.documents == 2) probe.second = starts.last();
  }
  return probe;
}

std::string StuckMessage(const std::string& text, const YAML::Mark& at) {
  if (at.pos >= 0 && static_cast<size_t>(at.pos) < text.size()) {
    return "invalid YAML: unexpected " +
           QuoteForMessage(std::string_view(text).substr(at.pos, 1)) +
           " outside [ ] or { }";
  }
  return "invalid YAML: the parser cannot continue here";
}

}  // namespace

int LineOf(const YAML::Mark& m) {
  return m.is_null() || m.line < 0 ? 0 : m.line + 1;
}

int ColumnOf(const YAML::Mark& m) {
  return m.is_null() || m.line < 0 || m.column < 0 ? 0 : m.column + 1;
}

std::optional<YAML::Node> ParseYamlDocument(std::string_view text,
                                            size_t max_bytes,
                                            ConfigErrors* errors,
                                            std::string_view what) {
  if (text.size() > max_bytes) {
    errors->Add(0, 0, "",
                "the file is " + std::to_string(text.size()) +
                    " bytes; the limit is " + std::to_string(max_bytes) +
                    " bytes");
    return std::nullopt;
  }
  const std::string copy(text);
  try {
    Probe probe = CountDocuments(copy);
    if (probe.stuck) {
      AddAt(errors, probe.stuck_at, StuckMessage(copy, probe.stuck_at));
      return std::nullopt;
    }
    if (probe.documents == 0) return YAML::Node();
    if (probe.documents > 1) {
      AddAt(errors, probe.second,
            std::string(what) + " holds one YAML document; found " +
                std::to_string(probe.documents));
    }
    // Builds the first document only: it parsed cleanly above.
    return YAML::Load(copy);
  } catch (const YAML::DeepRecursion& e) {
    AddAt(errors, e.mark,
          "invalid YAML: nested too deeply (a configuration needs only a "
          "few levels)");
  } catch (const YAML::Exception& e) {
    AddAt(errors, e.mark, "invalid YAML: " + e.msg);
  } catch (const std::exception& e) {
    errors->Add(0, 0, "", std::string("cannot parse YAML: ") + e.what());
  }
  return std::nullopt;
}

}  // namespace tend
