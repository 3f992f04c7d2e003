#include "automate/py_float.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <string_view>

namespace tend::automate {

std::string PyFloatRepr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d < 0 ? "-inf" : "inf";
  char buf[64];
  auto res =
      std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  std::string_view sci(buf, res.ptr - buf);
  std::string out;
  if (!sci.empty() && sci[0] == '-') {
    out.push_back('-');
    sci.remove_prefix(1);
  }
  size_t e_at = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_at)) {
    if (c != '.') digits.push_back(c);
  }
  int exp = 0;
  std::from_chars(sci.data() + e_at + 1 + (sci[e_at + 1] == '+'),
                  sci.data() + sci.size(), exp);
  const int n = static_cast<int>(digits.size());
  if (exp >= -4 && exp < 16) {
    const int point = exp + 1;
    if (point <= 0) {
      out += "0.";
      out.append(-point, '0');
      out += digits;
    } else if (point >= n) {
      out += digits;
      out.append(point - n, '0');
      out += ".0";
    } else {
      out.append(digits, 0, point);
      out.push_back('.');
      out.append(digits, point);
    }
    return out;
  }
  out.push_back(digits[0]);
  if (n > 1) {
    out.push_back('.');
    out.append(digits, 1);
  }
  char ebuf[16];
  std::snprintf(ebuf, sizeof(ebuf), "e%c%02d", exp < 0 ? '-' : '+',
                exp < 0 ? -exp : exp);
  out += ebuf;
  return out;
}

}  // namespace tend::automate
