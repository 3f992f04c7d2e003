#include "automate/value.h"

namespace tend::automate {

std::string SourcePos::ToString() const {
  if (line <= 0) return file;
  std::string out = file + ":" + std::to_string(line);
  if (column > 0) out += ":" + std::to_string(column);
  return out;
}

}  // namespace tend::automate
