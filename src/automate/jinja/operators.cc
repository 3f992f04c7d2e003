// Python's arithmetic and membership operators on Values.
#include <cmath>
#include <string>

#include "automate/jinja/eval.h"
#include "automate/jinja/py_value.h"
#include "base/utf8.h"

namespace tend::automate::jinja {
namespace {

std::string_view OpText(BinOp op) {
  switch (op) {
    case BinOp::kAdd:
      return "+";
    case BinOp::kSub:
      return "-";
    case BinOp::kMul:
      return "*";
    case BinOp::kDiv:
      return "/";
    case BinOp::kFloorDiv:
      return "//";
    case BinOp::kMod:
      return "%";
    case BinOp::kPow:
      return "**";
    case BinOp::kConcat:
      return "~";
  }
  return "?";
}

Status Unsupported(BinOp op, const Value& a, const Value& b) {
  return InvalidArgumentError("unsupported operand type(s) for " +
                              std::string(OpText(op)) + ": '" +
                              std::string(PyTypeName(a)) + "' and '" +
                              std::string(PyTypeName(b)) + "'");
}

Status Overflow() { return InvalidArgumentError("integer overflow"); }

Result<Value> Repeat(const Value& seq, int64_t times) {
  if (times <= 0) return seq.is_string() ? Value("") : Value::array();
  const size_t unit =
      seq.is_string() ? seq.get_ref<const std::string&>().size() : seq.size();
  if (unit != 0 && static_cast<uint64_t>(times) > (64u << 20) / unit) {
    return InvalidArgumentError("repetition result larger than 64 MiB");
  }
  if (seq.is_string()) {
    std::string out;
    const std::string& s = seq.get_ref<const std::string&>();
    out.reserve(s.size() * static_cast<size_t>(times));
    for (int64_t i = 0; i < times; ++i) out += s;
    return Value(std::move(out));
  }
  Value out = Value::array();
  for (int64_t i = 0; i < times; ++i) {
    for (const Value& x : seq) out.push_back(x);
  }
  return out;
}

double FloorMod(double a, double b) {
  double m = std::fmod(a, b);
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

}  // namespace

Result<Value> BinaryOp(BinOp op, const Value& a, const Value& b) {
  const bool nums = IsNumber(a) && IsNumber(b);
  const bool ints = nums && IsInt(a) && IsInt(b);
  switch (op) {
    case BinOp::kAdd:
      if (ints) {
        int64_t r;
        if (__builtin_add_overflow(AsInt(a), AsInt(b), &r)) return Overflow();
        return Value(r);
      }
      if (nums) return Value(AsDouble(a) + AsDouble(b));
      if (a.is_string() && b.is_string()) {
        return Value(a.get_ref<const std::string&>() +
                     b.get_ref<const std::string&>());
      }
      if (a.is_array() && b.is_array()) {
        Value out = a;
        for (const Value& x : b) out.push_back(x);
        return out;
      }
      if (a.is_string()) {
        return InvalidArgumentError("can only concatenate str (not \"" +
                                    std::string(PyTypeName(b)) + "\") to str");
      }
      return Unsupported(op, a, b);
    case BinOp::kSub:
      if (ints) {
        int64_t r;
        if (__builtin_sub_overflow(AsInt(a), AsInt(b), &r)) return Overflow();
        return Value(r);
      }
      if (nums) return Value(AsDouble(a) - AsDouble(b));
      return Unsupported(op, a, b);
    case BinOp::kMul:
      if (ints) {
        int64_t r;
        if (__builtin_mul_overflow(AsInt(a), AsInt(b), &r)) return Overflow();
        return Value(r);
      }
      if (nums) return Value(AsDouble(a) * AsDouble(b));
      if ((a.is_string() || a.is_array()) && IsInt(b)) {
        return Repeat(a, AsInt(b));
      }
      if ((b.is_string() || b.is_array()) && IsInt(a)) {
        return Repeat(b, AsInt(a));
      }
      return Unsupported(op, a, b);
    case BinOp::kDiv:
      if (!nums) return Unsupported(op, a, b);
      if (AsDouble(b) == 0) return InvalidArgumentError("division by zero");
      return Value(AsDouble(a) / AsDouble(b));
    case BinOp::kFloorDiv:
    case BinOp::kMod:
      if (!nums) {
        if (op == BinOp::kMod && a.is_string()) {
          return InvalidArgumentError(
              "printf-style '%' formatting is not supported; use the "
              "format filter");
        }
        return Unsupported(op, a, b);
      }
      if (ints) {
        const int64_t x = AsInt(a);
        const int64_t y = AsInt(b);
        if (y == 0) {
          return InvalidArgumentError(op == BinOp::kMod
                                          ? "integer modulo by zero"
                                          : "integer division by zero");
        }
        if (x == INT64_MIN && y == -1) {
          if (op == BinOp::kMod) return Value(0);
          return Overflow();
        }
        int64_t q = x / y;
        int64_t m = x % y;
        if (m != 0 && ((m < 0) != (y < 0))) {
          --q;
          m += y;
        }
        return op == BinOp::kMod ? Value(m) : Value(q);
      } else {
        const double x = AsDouble(a);
        const double y = AsDouble(b);
        if (y == 0) return InvalidArgumentError("float division by zero");
        const double m = FloorMod(x, y);
        if (op == BinOp::kMod) return Value(m);
        // CPython's float_floor_div.
        const double div = (x - m) / y;
        double floordiv = std::floor(div);
        if (div - floordiv > 0.5) floordiv += 1.0;
        return Value(floordiv);
      }
    case BinOp::kPow:
      if (!nums) return Unsupported(op, a, b);
      if (ints && AsInt(b) >= 0) {
        int64_t base = AsInt(a);
        int64_t exp = AsInt(b);
        int64_t r = 1;
        while (exp > 0) {
          if (exp & 1) {
            if (__builtin_mul_overflow(r, base, &r)) return Overflow();
          }
          exp >>= 1;
          if (exp > 0 && __builtin_mul_overflow(base, base, &base)) {
            return Overflow();
          }
        }
        return Value(r);
      }
      if (AsDouble(a) == 0 && AsDouble(b) < 0) {
        return InvalidArgumentError("0.0 cannot be raised to a negative power");
      }
      return Value(std::pow(AsDouble(a), AsDouble(b)));
    case BinOp::kConcat:
      break;
  }
  return Unsupported(op, a, b);
}

Result<bool> Contains(const Value& container, const Value& item) {
  if (container.is_string()) {
    if (!item.is_string()) {
      return InvalidArgumentError(
          "'in <string>' requires string as left operand, not " +
          std::string(PyTypeName(item)));
    }
    return container.get_ref<const std::string&>().find(
               item.get_ref<const std::string&>()) != std::string::npos;
  }
  if (container.is_array()) {
    for (const Value& x : container) {
      if (PyEquals(x, item)) return true;
    }
    return false;
  }
  if (container.is_object()) {
    if (item.is_string()) return container.contains(item.get<std::string>());
    if (item.is_array() || item.is_object()) {
      return InvalidArgumentError("unhashable type: '" +
                                  std::string(PyTypeName(item)) + "'");
    }
    return container.contains(PyStr(item));
  }
  return InvalidArgumentError("argument of type '" +
                              std::string(PyTypeName(container)) +
                              "' is not iterable");
}

Result<Value> IterItems(const Value& v) {
  if (v.is_array()) return v;
  Value out = Value::array();
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) out.push_back(it.key());
    return out;
  }
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    size_t i = 0;
    while (i < s.size()) {
      size_t j = i + 1;
      while (j < s.size() &&
             (static_cast<unsigned char>(s[j]) & 0xC0) == 0x80) {
        ++j;
      }
      out.push_back(s.substr(i, j - i));
      i = j;
    }
    return out;
  }
  return InvalidArgumentError("'" + std::string(PyTypeName(v)) +
                              "' object is not iterable");
}

}  // namespace tend::automate::jinja
