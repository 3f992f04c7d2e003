#include "config/byte_size.h"

#include <charconv>
#include <cmath>
#include <string>

namespace tend {

Result<uint64_t> ParseByteSize(std::string_view text) {
  auto bad = [&] {
    return InvalidArgumentError(
        "invalid byte size \"" + std::string(text) +
        "\": want a number and a unit: B, kB, MB, GB, TB (x1000) or KiB, "
        "MiB, GiB, TiB (x1024)");
  };
  size_t i = 0;
  while (i < text.size() &&
         ((text[i] >= '0' && text[i] <= '9') || text[i] == '.')) {
    ++i;
  }
  if (i == 0) return bad();
  double number;
  auto r = std::from_chars(text.data(), text.data() + i, number);
  if (r.ec != std::errc() || r.ptr != text.data() + i) return bad();
  std::string_view unit = text.substr(i);
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  struct Unit {
    std::string_view name;
    double factor;
  };
  static constexpr Unit kUnits[] = {
      {"", 1},
      {"B", 1},
      {"k", 1e3},
      {"kB", 1e3},
      {"K", 1e3},
      {"KB", 1e3},
      {"M", 1e6},
      {"MB", 1e6},
      {"G", 1e9},
      {"GB", 1e9},
      {"T", 1e12},
      {"TB", 1e12},
      {"KiB", 1024.0},
      {"Ki", 1024.0},
      {"MiB", 1048576.0},
      {"Mi", 1048576.0},
      {"GiB", 1073741824.0},
      {"Gi", 1073741824.0},
      {"TiB", 1099511627776.0},
      {"Ti", 1099511627776.0},
  };
  for (const Unit& u : kUnits) {
    if (unit == u.name) {
      double bytes = number * u.factor;
      if (!std::isfinite(bytes) || bytes >= 1.8e19) return bad();
      return static_cast<uint64_t>(bytes);
    }
  }
  return bad();
}

Status ValidateByteSize(std::string_view text) {
  return ParseByteSize(text).status();
}

}  // namespace tend
