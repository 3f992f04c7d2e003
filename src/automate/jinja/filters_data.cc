// Data filters: JSON and YAML in and out, base64, hashes, and the regex
// filters.
#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "automate/jinja/builtins.h"
#include "automate/jinja/eval.h"
#include "automate/jinja/py_json.h"
#include "automate/jinja/py_value.h"
#include "automate/py_regex.h"
#include "automate/yaml_value.h"
#include "base/utf8.h"

namespace tend::automate::jinja {
namespace {

using R = Result<Val>;

R ToJson(Evaluator&, Val in, CallArgs& args) {
  const Val* a[3];
  RETURN_IF_ERROR(
      BindArgs("to_json", args, {"indent", "sort_keys", "ensure_ascii"}, a));
  ASSIGN_OR_RETURN(int64_t indent, ArgInt("to_json", "indent", a[0], -1));
  ASSIGN_OR_RETURN(bool sort_keys, ArgBool(a[1], false));
  ASSIGN_OR_RETURN(bool ascii, ArgBool(a[2], true));
  return Val(Value(
      PyJsonDumps(in.v(), static_cast<int>(std::clamp<int64_t>(indent, -1, 64)),
                  sort_keys, ascii)));
}

R ToNiceJson(Evaluator&, Val in, CallArgs& args) {
  const Val* a[3];
  RETURN_IF_ERROR(BindArgs("to_nice_json", args,
                           {"indent", "sort_keys", "ensure_ascii"}, a));
  ASSIGN_OR_RETURN(int64_t indent, ArgInt("to_nice_json", "indent", a[0], 4));
  ASSIGN_OR_RETURN(bool sort_keys, ArgBool(a[1], true));
  ASSIGN_OR_RETURN(bool ascii, ArgBool(a[2], true));
  return Val(Value(
      PyJsonDumps(in.v(), static_cast<int>(std::clamp<int64_t>(indent, 0, 64)),
                  sort_keys, ascii)));
}

R FromJson(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("from_json", args, {}, nullptr));
  if (!in.v().is_string()) return TypeError("from_json", "a string", in.v());
  Value v = Value::parse(in.v().get_ref<const std::string&>(), nullptr,
                         /*allow_exceptions=*/false);
  if (v.is_discarded()) {
    return InvalidArgumentError("the string is not valid JSON");
  }
  return Val(std::move(v));
}

// to_yaml is PyYAML's dump with its default flow style (collections of
// scalars inline: {a: 1}); to_nice_yaml is block style throughout.
R ToYamlImpl(Val in, CallArgs& args, const char* name, int64_t dflt,
             bool flow_leaves) {
  const Val* a[1];
  RETURN_IF_ERROR(BindArgs(name, args, {"indent"}, a));
  ASSIGN_OR_RETURN(int64_t indent, ArgInt(name, "indent", a[0], dflt));
  return Val(
      Value(ToYaml(in.v(), static_cast<int>(std::clamp<int64_t>(indent, 1, 16)),
                   flow_leaves)));
}
R ToYamlF(Evaluator&, Val in, CallArgs& args) {
  return ToYamlImpl(std::move(in), args, "to_yaml", 2, true);
}
R ToNiceYaml(Evaluator&, Val in, CallArgs& args) {
  return ToYamlImpl(std::move(in), args, "to_nice_yaml", 4, false);
}

R FromYaml(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("from_yaml", args, {}, nullptr));
  if (!in.v().is_string()) return TypeError("from_yaml", "a string", in.v());
  auto doc = ParseYaml(in.v().get_ref<const std::string&>(), "from_yaml");
  if (!doc.ok()) return doc.status();
  return Val((*doc)->value());
}

constexpr char kB64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

R B64Encode(Evaluator&, Val in, CallArgs& args) {
  const Val* a[1];
  RETURN_IF_ERROR(BindArgs("b64encode", args, {"encoding"}, a));
  const std::string s = PyStr(in.v());
  std::string out;
  size_t i = 0;
  for (; i + 2 < s.size(); i += 3) {
    const uint32_t n = (static_cast<uint8_t>(s[i]) << 16) |
                       (static_cast<uint8_t>(s[i + 1]) << 8) |
                       static_cast<uint8_t>(s[i + 2]);
    out += kB64[n >> 18];
    out += kB64[(n >> 12) & 63];
    out += kB64[(n >> 6) & 63];
    out += kB64[n & 63];
  }
  if (i < s.size()) {
    uint32_t n = static_cast<uint8_t>(s[i]) << 16;
    if (i + 1 < s.size()) n |= static_cast<uint8_t>(s[i + 1]) << 8;
    out += kB64[n >> 18];
    out += kB64[(n >> 12) & 63];
    out += i + 1 < s.size() ? kB64[(n >> 6) & 63] : '=';
    out += '=';
  }
  return Val(Value(std::move(out)));
}

R B64Decode(Evaluator&, Val in, CallArgs& args) {
  const Val* a[1];
  RETURN_IF_ERROR(BindArgs("b64decode", args, {"encoding"}, a));
  const std::string s = PyStr(in.v());
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  size_t valid = 0;
  for (char c : s) {
    const char* p = c == '\0' ? nullptr : std::strchr(kB64, c);
    int v;
    if (p != nullptr) {
      v = static_cast<int>(p - kB64);
    } else if (c == '-') {
      v = 62;
    } else if (c == '_') {
      v = 63;
    } else if (c == '=') {
      break;
    } else if (c == '\n' || c == '\r' || c == ' ') {
      continue;
    } else {
      return InvalidArgumentError("invalid base64 character '" +
                                  std::string(1, c) + "'");
    }
    ++valid;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
    }
  }
  if (valid % 4 == 1) return InvalidArgumentError("incorrect base64 padding");
  return Val(Value(std::move(out)));
}

Result<std::string> Digest(std::string_view algo, std::string_view data) {
  const EVP_MD* md = EVP_get_digestbyname(std::string(algo).c_str());
  if (md == nullptr) {
    return InvalidArgumentError("unknown hash type '" + std::string(algo) +
                                "'");
  }
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), buf, &len, md, nullptr) != 1) {
    return InternalError("hashing failed");
  }
  std::string hex;
  char h[3];
  for (unsigned i = 0; i < len; ++i) {
    std::snprintf(h, sizeof(h), "%02x", buf[i]);
    hex += h;
  }
  return hex;
}

R Hash(Evaluator&, Val in, CallArgs& args) {
  const Val* a[1];
  RETURN_IF_ERROR(BindArgs("hash", args, {"hashtype"}, a));
  ASSIGN_OR_RETURN(std::string algo, ArgStr("hash", "hashtype", a[0], "sha1"));
  ASSIGN_OR_RETURN(std::string hex, Digest(algo, PyStr(in.v())));
  return Val(Value(std::move(hex)));
}
R Checksum(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("checksum", args, {}, nullptr));
  ASSIGN_OR_RETURN(std::string hex, Digest("sha1", PyStr(in.v())));
  return Val(Value(std::move(hex)));
}
R Md5(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("md5", args, {}, nullptr));
  ASSIGN_OR_RETURN(std::string hex, Digest("md5", PyStr(in.v())));
  return Val(Value(std::move(hex)));
}

R Sha1(Evaluator&, Val in, CallArgs& args) {
  RETURN_IF_ERROR(BindArgs("sha1", args, {}, nullptr));
  ASSIGN_OR_RETURN(std::string hex, Digest("sha1", PyStr(in.v())));
  return Val(Value(std::move(hex)));
}

Result<bool> Flag(const Val* v) { return ArgBool(v, false); }

R RegexReplace(Evaluator&, Val in, CallArgs& args) {
  const Val* a[5];
  RETURN_IF_ERROR(BindArgs(
      "regex_replace", args,
      {"pattern", "replacement", "ignorecase", "multiline", "count"}, a));
  ASSIGN_OR_RETURN(std::string pattern,
                   ArgStr("regex_replace", "pattern", a[0], ""));
  ASSIGN_OR_RETURN(std::string rep,
                   ArgStr("regex_replace", "replacement", a[1], ""));
  ASSIGN_OR_RETURN(bool icase, Flag(a[2]));
  ASSIGN_OR_RETURN(bool multi, Flag(a[3]));
  ASSIGN_OR_RETURN(int64_t count, ArgInt("regex_replace", "count", a[4], 0));
  ASSIGN_OR_RETURN(auto re, CompilePyRegex(pattern, {.ignorecase = icase,
                                                     .multiline = multi}));
  ASSIGN_OR_RETURN(std::string out, PyReSub(*re, PyStr(in.v()), rep, count));
  return Val(Value(std::move(out)));
}

R RegexSearch(Evaluator&, Val in, CallArgs& args) {
  if (args.pos.empty())
    return InvalidArgumentError("regex_search needs a pattern");
  bool icase = false;
  bool multi = false;
  for (const auto& [k, v] : args.kw) {
    if (k == "ignorecase") {
      icase = Truthy(v.v());
    } else if (k == "multiline") {
      multi = Truthy(v.v());
    } else {
      return InvalidArgumentError("unexpected keyword argument '" +
                                  std::string(k) + "'");
    }
  }
  const std::string pattern = PyStr(args.pos[0].v());
  ASSIGN_OR_RETURN(auto re, CompilePyRegex(pattern, {.ignorecase = icase,
                                                     .multiline = multi}));
  const std::string text = PyStr(in.v());
  std::vector<std::string_view> g;
  if (!PyReMatch(*re, text, false, &g)) return Val(Value(nullptr));
  if (args.pos.size() == 1) return Val(Value(std::string(g[0])));
  // Extra arguments '\\1' or '\\g<name>' select groups; a list results.
  Value out = Value::array();
  for (size_t i = 1; i < args.pos.size(); ++i) {
    const std::string ref = PyStr(args.pos[i].v());
    ASSIGN_OR_RETURN(std::string s, ExpandReplacement(*re, ref, g));
    out.push_back(std::move(s));
  }
  return Val(std::move(out));
}

R RegexFindall(Evaluator&, Val in, CallArgs& args) {
  const Val* a[3];
  RETURN_IF_ERROR(
      BindArgs("regex_findall", args, {"regex", "multiline", "ignorecase"}, a));
  ASSIGN_OR_RETURN(std::string pattern,
                   ArgStr("regex_findall", "regex", a[0], ""));
  ASSIGN_OR_RETURN(bool multi, Flag(a[1]));
  ASSIGN_OR_RETURN(bool icase, Flag(a[2]));
  ASSIGN_OR_RETURN(auto re, CompilePyRegex(pattern, {.ignorecase = icase,
                                                     .multiline = multi}));
  return Val(PyReFindAll(*re, PyStr(in.v())));
}

R RegexEscape(Evaluator&, Val in, CallArgs& args) {
  const Val* a[1];
  RETURN_IF_ERROR(BindArgs("regex_escape", args, {"re_type"}, a));
  // Python's re.escape: every character outside [A-Za-z0-9_] and non-ASCII
  // gets a backslash.
  const std::string s = PyStr(in.v());
  std::string out;
  for (char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '_' || u >= 0x80)) out.push_back('\\');
    out.push_back(c);
  }
  return Val(Value(std::move(out)));
}

R PasswordHash(Evaluator&, Val, CallArgs&) {
  return UnimplementedError(
      "password_hash is not supported; hash the password beforehand and "
      "pass the hash");
}

}  // namespace

const std::vector<FilterDef>& DataFilters() {
  static const std::vector<FilterDef>* table = new std::vector<FilterDef>{
      {"to_json", ToJson},
      {"to_nice_json", ToNiceJson},
      {"from_json", FromJson},
      {"to_yaml", ToYamlF},
      {"to_nice_yaml", ToNiceYaml},
      {"from_yaml", FromYaml},
      {"b64encode", B64Encode},
      {"b64decode", B64Decode},
      {"hash", Hash},
      {"checksum", Checksum},
      {"md5", Md5},
      {"sha1", Sha1},
      {"regex_replace", RegexReplace},
      {"regex_search", RegexSearch},
      {"regex_findall", RegexFindall},
      {"regex_escape", RegexEscape},
      {"password_hash", PasswordHash},
  };
  return *table;
}

}  // namespace tend::automate::jinja
