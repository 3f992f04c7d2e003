// Go's text/template builtins: not, len, index, print, printf, println,
// html, js, urlquery and the comparisons (and/or are in the executor,
// since they evaluate their arguments lazily).
#include <cstdio>
#include <string>

#include "alert/template/functions.h"
#include "alert/template/gofmt.h"

namespace tend::tmpl {

using Args = std::vector<Value>;

Result<Value> BuiltinNot(const CallContext&, Args& args) {
  return Value::Bool(!IsTrue(args[0]));
}

Result<Value> BuiltinLen(const CallContext&, Args& args) {
  const Value& v = args[0];
  switch (v.kind) {
    case Value::Kind::kString:
      return Value::Int(static_cast<int64_t>(v.s.size()));
    case Value::Kind::kMap:
      return Value::Int(static_cast<int64_t>(v.map->size()));
    case Value::Kind::kList:
      return Value::Int(static_cast<int64_t>(v.list->size()));
    case Value::Kind::kNil:
      return InvalidArgumentError("len of nil pointer");
    default:
      return InvalidArgumentError(std::string("len of type ") + GoTypeName(v));
  }
}

Result<Value> BuiltinIndex(const CallContext&, Args& args) {
  Value item = args[0];
  for (size_t k = 1; k < args.size(); ++k) {
    const Value& idx = args[k];
    if (item.kind == Value::Kind::kMap) {
      if (idx.kind != Value::Kind::kString) {
        return InvalidArgumentError(std::string("value has type ") +
                                    GoTypeName(idx) + "; should be string");
      }
      auto it = item.map->find(idx.s);
      if (it != item.map->end()) {
        Value next = it->second;
        item = std::move(next);
      } else {
        item = item.string_map ? Value::String("") : Value::Nil();
      }
    } else if (item.kind == Value::Kind::kList ||
               item.kind == Value::Kind::kString) {
      if (idx.kind != Value::Kind::kInt) {
        return InvalidArgumentError(std::string("cannot index slice/array "
                                                "with type ") +
                                    GoTypeName(idx));
      }
      const size_t n =
          item.kind == Value::Kind::kList ? item.list->size() : item.s.size();
      if (idx.i < 0 || static_cast<size_t>(idx.i) >= n) {
        return InvalidArgumentError("index out of range: " +
                                    std::to_string(idx.i));
      }
      if (item.kind == Value::Kind::kList) {
        Value next = (*item.list)[idx.i];
        item = std::move(next);
      } else {
        item = Value::Int(static_cast<unsigned char>(item.s[idx.i]));
      }
    } else if (item.kind == Value::Kind::kNil) {
      return InvalidArgumentError("index of untyped nil");
    } else {
      return InvalidArgumentError(std::string("can't index item of type ") +
                                  GoTypeName(item));
    }
  }
  return item;
}

Result<Value> BuiltinPrint(const CallContext&, Args& args) {
  return Value::String(GoSprint(args));
}

Result<Value> BuiltinPrintf(const CallContext&, Args& args) {
  if (args[0].kind != Value::Kind::kString) {
    return InvalidArgumentError(std::string("wrong type for value; expected "
                                            "string; got ") +
                                GoTypeName(args[0]));
  }
  const Args rest(args.begin() + 1, args.end());
  return Value::String(GoSprintf(args[0].s, rest));
}

Result<Value> BuiltinPrintln(const CallContext&, Args& args) {
  return Value::String(GoSprintln(args));
}

namespace {

// text/template's evalArgs: a lone string as is, else fmt.Sprint.
std::string EvalArgs(const Args& args) {
  if (args.size() == 1 && args[0].kind == Value::Kind::kString) {
    return args[0].s;
  }
  return GoSprint(args);
}

}  // namespace

Result<Value> BuiltinHtml(const CallContext&, Args& args) {
  const std::string s = EvalArgs(args);
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      default:
        out.push_back(c);
    }
  }
  return Value::String(std::move(out));
}

Result<Value> BuiltinJs(const CallContext&, Args& args) {
  const std::string s = EvalArgs(args);
  std::string out;
  for (char ch : s) {
    const unsigned char c = ch;
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '"':
        out += "\\\"";
        break;
      case '<':
        out += "\\u003C";
        break;
      case '>':
        out += "\\u003E";
        break;
      case '&':
        out += "\\u0026";
        break;
      case '=':
        out += "\\u003D";
        break;
      default:
        if (c < ' ' || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04X", c);
          out += buf;
        } else {
          out.push_back(ch);
        }
    }
  }
  return Value::String(std::move(out));
}

Result<Value> BuiltinUrlquery(const CallContext&, Args& args) {
  const std::string s = EvalArgs(args);
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : s) {
    const unsigned char c = ch;
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(ch);
    } else if (c == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return Value::String(std::move(out));
}

namespace {

enum class Basic { kBool, kInt, kFloat, kString, kNil, kOther };

Basic KindOf(const Value& v) {
  switch (v.kind) {
    case Value::Kind::kBool:
      return Basic::kBool;
    case Value::Kind::kInt:
      return Basic::kInt;
    case Value::Kind::kFloat:
      return Basic::kFloat;
    case Value::Kind::kString:
      return Basic::kString;
    case Value::Kind::kNil:
      return Basic::kNil;
    default:
      return Basic::kOther;
  }
}

Status BadType() { return InvalidArgumentError("invalid type for comparison"); }
Status Incompatible() {
  return InvalidArgumentError("incompatible types for comparison");
}

// Go's eq for one pair.
Result<bool> EqPair(const Value& a, const Value& b) {
  const Basic ka = KindOf(a), kb = KindOf(b);
  if (ka == Basic::kOther || kb == Basic::kOther) return BadType();
  if (ka != kb) {
    if (ka == Basic::kNil || kb == Basic::kNil) return false;
    return Incompatible();
  }
  switch (ka) {
    case Basic::kBool:
      return a.b == b.b;
    case Basic::kInt:
      return a.i == b.i;
    case Basic::kFloat:
      return a.f == b.f;
    case Basic::kString:
      return a.s == b.s;
    default:
      return true;  // nil == nil.
  }
}

// Go's lt.
Result<bool> Less(const Value& a, const Value& b) {
  const Basic ka = KindOf(a), kb = KindOf(b);
  if (ka == Basic::kOther || kb == Basic::kOther || ka == Basic::kNil ||
      kb == Basic::kNil || ka == Basic::kBool || kb == Basic::kBool) {
    return BadType();
  }
  if (ka != kb) return Incompatible();
  switch (ka) {
    case Basic::kInt:
      return a.i < b.i;
    case Basic::kFloat:
      return a.f < b.f;
    default:
      return a.s < b.s;
  }
}

}  // namespace

Result<Value> BuiltinEq(const CallContext&, Args& args) {
  if (args.size() < 2)
    return InvalidArgumentError("missing argument for comparison");
  for (size_t k = 1; k < args.size(); ++k) {
    ASSIGN_OR_RETURN(bool eq, EqPair(args[0], args[k]));
    if (eq) return Value::Bool(true);
  }
  return Value::Bool(false);
}

Result<Value> BuiltinNe(const CallContext&, Args& args) {
  ASSIGN_OR_RETURN(bool eq, EqPair(args[0], args[1]));
  return Value::Bool(!eq);
}

Result<Value> BuiltinLt(const CallContext&, Args& args) {
  ASSIGN_OR_RETURN(bool lt, Less(args[0], args[1]));
  return Value::Bool(lt);
}

Result<Value> BuiltinLe(const CallContext&, Args& args) {
  ASSIGN_OR_RETURN(bool lt, Less(args[0], args[1]));
  if (lt) return Value::Bool(true);
  ASSIGN_OR_RETURN(bool eq, EqPair(args[0], args[1]));
  return Value::Bool(eq);
}

// Go defines gt as !le and ge as !lt, which makes NaN greater than
// everything; kept for identical results.
Result<Value> BuiltinGt(const CallContext&, Args& args) {
  ASSIGN_OR_RETURN(bool lt, Less(args[0], args[1]));
  if (lt) return Value::Bool(false);
  ASSIGN_OR_RETURN(bool eq, EqPair(args[0], args[1]));
  return Value::Bool(!eq);
}

Result<Value> BuiltinGe(const CallContext&, Args& args) {
  ASSIGN_OR_RETURN(bool lt, Less(args[0], args[1]));
  return Value::Bool(!lt);
}

}  // namespace tend::tmpl
