#include "logs/pipeline/checkpoints.h"

#include <charconv>

namespace tend::logs {
namespace {

constexpr std::string_view kMagic = "tendcp1\n";

void AppendField(std::string_view s, std::string* out) {
  *out += std::to_string(s.size());
  *out += ':';
  *out += s;
}

// Reads "<len>:<bytes>" at *pos.
bool ReadField(std::string_view in, size_t* pos, std::string* out) {
  size_t colon = in.find(':', *pos);
  if (colon == std::string_view::npos || colon == *pos || colon - *pos > 10) {
    return false;
  }
  size_t len = 0;
  auto [ptr, ec] = std::from_chars(in.data() + *pos, in.data() + colon, len);
  if (ec != std::errc() || ptr != in.data() + colon) return false;
  if (len > in.size() - colon - 1) return false;
  out->assign(in.substr(colon + 1, len));
  *pos = colon + 1 + len;
  return true;
}

}  // namespace

std::string EncodeCheckpoints(const SourceCheckpoints& checkpoints) {
  std::string out(kMagic);
  for (const auto& [name, checkpoint] : checkpoints) {
    AppendField(name, &out);
    AppendField(checkpoint, &out);
    out += '\n';
  }
  return out;
}

Result<SourceCheckpoints> DecodeCheckpoints(std::string_view in) {
  SourceCheckpoints out;
  if (in.empty()) return out;
  if (in.substr(0, kMagic.size()) != kMagic) {
    return DataLossError(
        "log checkpoint: unknown format (no \"tendcp1\" "
        "header)");
  }
  size_t pos = kMagic.size();
  while (pos < in.size()) {
    size_t start = pos;
    std::string name, checkpoint;
    if (!ReadField(in, &pos, &name) || !ReadField(in, &pos, &checkpoint) ||
        pos >= in.size() || in[pos] != '\n') {
      return DataLossError("log checkpoint: malformed entry at byte " +
                           std::to_string(start));
    }
    ++pos;
    if (!out.emplace(std::move(name), std::move(checkpoint)).second) {
      return DataLossError("log checkpoint: duplicate source at byte " +
                           std::to_string(start));
    }
  }
  return out;
}

}  // namespace tend::logs
