// ansible.builtin.uri: one HTTP request, its status checked against
// status_code, its answer returned (and optionally saved to dest).
//
// Like get_url, the request is made from the controller (libcurl), so it
// comes from the controller's network; dest is written on the target by
// Connection::Upload.
//
// Check mode: Ansible skips uri. tend makes safe requests (GET, HEAD,
// OPTIONS, TRACE: no effect on the server by definition) and reports what
// a real run would (dest unchanged); any other method is skipped.
//
// changed: only dest makes a change. As in Ansible, a response with a
// status in status_code other than 304 marks changed even when dest
// already held the same bytes (the file is then left untouched); a server
// honouring If-Modified-Since (sent with dest's mtime) answers 304.
#include <algorithm>
#include <cctype>

#include "automate/modules/args.h"
#include "automate/modules/files/file_common.h"
#include "automate/modules/net/net_util.h"
#include "base/file_util.h"

namespace tend::automate::netmod {
namespace {

std::string Lower(std::string s) {
  for (auto& c : s) {
    c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

// Python's urllib.parse.quote_plus.
std::string QuotePlus(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '_' || c == '.' || c == '-' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string PyText(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  return v.dump();
}

// Ansible's form_urlencoded: a mapping or a list of pairs; list values
// repeat the key; None values are dropped.
Result<std::string> FormEncode(const Value& body) {
  if (body.is_string()) return body.get<std::string>();
  std::vector<std::pair<std::string, Value>> pairs;
  if (body.is_object()) {
    for (const auto& [k, v] : body.items()) pairs.emplace_back(k, v);
  } else if (body.is_array()) {
    for (const auto& p : body) {
      if (!p.is_array() || p.size() != 2) {
        return InvalidArgumentError(
            "failed to parse body as form_urlencoded: a list body must hold "
            "[key, value] pairs");
      }
      pairs.emplace_back(PyText(p[0]), p[1]);
    }
  } else {
    return InvalidArgumentError(
        "failed to parse body as form_urlencoded: cannot form-urlencode body, "
        "expect list or dict");
  }
  std::string out;
  for (const auto& [k, v] : pairs) {
    std::vector<Value> values;
    if (v.is_array()) {
      values.assign(v.begin(), v.end());
    } else {
      values.push_back(v);
    }
    for (const auto& one : values) {
      if (one.is_null()) continue;
      if (!out.empty()) out += '&';
      out += QuotePlus(k) + "=" + QuotePlus(PyText(one));
    }
  }
  return out;
}

bool HasHeader(const FetchRequest& req, std::string_view name) {
  for (const auto& [k, v] : req.headers) {
    if (Lower(k) == name) return true;
  }
  return false;
}

bool MaybeJson(const std::string& content_type) {
  std::string ct = Lower(content_type.substr(0, content_type.find(';')));
  size_t slash = ct.find('/');
  if (slash == std::string::npos) return false;
  std::string sub = ct.substr(slash + 1);
  while (!sub.empty() && sub.back() == ' ') sub.pop_back();
  if (size_t plus = sub.find('+'); plus != std::string::npos) {
    sub = sub.substr(plus + 1);
  }
  return sub == "json" || sub == "javascript";
}

class UriModule : public Module {
 public:
  UriModule() {
    spec_.name = "uri";
    spec_.params = {
        Param("url").Required(),
        Param("dest", ParamType::kPath),
        Param("url_username").Aliases({"user"}),
        Param("url_password").Aliases({"password"}),
        Param("body", ParamType::kRaw),
        Param("body_format")
            .Default("raw")
            .Choices({"form-urlencoded", "json", "raw"}),
        Param("method").Default("GET"),
        Param("return_content", ParamType::kBool).Default(false),
        Param("follow_redirects")
            .Default("safe")
            .Choices({"all", "no", "none", "safe", "urllib2", "yes"}),
        Param("creates", ParamType::kPath),
        Param("removes", ParamType::kPath),
        Param("status_code", ParamType::kList).Default(Value::array({200})),
        Param("timeout", ParamType::kInt).Default(30),
        Param("headers", ParamType::kDict).Default(Value::object()),
        Param("force_basic_auth", ParamType::kBool).Default(false),
        Param("validate_certs", ParamType::kBool).Default(true),
        Param("http_agent").Default("ansible-httpget"),
        Param("use_proxy", ParamType::kBool).Default(true),
        Param("force", ParamType::kBool).Default(false),
    };
    filemod::AddFileCommonParams(&spec_.params);
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) override {
    ModuleResult res;
    auto fail = [&](std::string msg) {
      res.failed = true;
      res.msg = std::move(msg);
      return res;
    };
    const std::string url = ArgStr(args, "url");
    std::string method = ArgStr(args, "method", "GET");
    for (auto& c : method) {
      c = static_cast<char>(toupper(static_cast<unsigned char>(c)));
    }
    if (method.empty() ||
        method.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") !=
            std::string::npos) {
      return fail(
          "Parameter 'method' needs to be a single word in uppercase, like "
          "GET or POST.");
    }
    std::vector<int> codes;
    for (const auto& c : args["status_code"]) {
      std::string s = PyText(c);
      char* end = nullptr;
      long v = strtol(s.c_str(), &end, 10);
      if (s.empty() || *end != '\0') {
        return fail("parameter 'status_code' of module 'uri': '" + s +
                    "' is not an integer");
      }
      codes.push_back(static_cast<int>(v));
    }

    FetchRequest req = BaseRequest(args);
    req.method = method;
    req.timeout_s = static_cast<int>(ArgInt(args, "timeout", 30));
    req.max_body_bytes = filemod::kMaxFileBytes;
    std::string format = ArgStr(args, "body_format", "raw");
    if (ArgHas(args, "body")) {
      const Value& body = args["body"];
      req.has_body = true;
      if (format == "json") {
        req.body = body.is_string() ? body.get<std::string>() : body.dump();
        if (!HasHeader(req, "content-type")) {
          req.headers.emplace_back("Content-Type", "application/json");
        }
      } else if (format == "form-urlencoded") {
        Result<std::string> enc = FormEncode(body);
        if (!enc.ok()) return fail(enc.status().message());
        req.body = *enc;
        if (!HasHeader(req, "content-type")) {
          req.headers.emplace_back("Content-Type",
                                   "application/x-www-form-urlencoded");
        }
      } else {
        req.body = PyText(body);
      }
    } else if (format == "json" && !HasHeader(req, "content-type")) {
      req.headers.emplace_back("Content-Type", "application/json");
    }
    std::string follow = ArgStr(args, "follow_redirects", "safe");
    bool safe_method = method == "GET" || method == "HEAD" ||
                       method == "OPTIONS" || method == "TRACE";
    req.follow_redirects = follow == "all" || follow == "yes" ||
                           ((follow == "safe" || follow == "urllib2") &&
                            (method == "GET" || method == "HEAD"));

    if (ArgHas(args, "creates")) {
      ASSIGN_OR_RETURN(FileStat c,
                       ctx.conn->Stat(ArgStr(args, "creates"), true, ctx.priv));
      if (c.exists()) {
        res.data["stdout"] =
            "skipped, since '" + ArgStr(args, "creates") + "' exists";
        res.msg = res.data["stdout"];
        return res;
      }
    }
    if (ArgHas(args, "removes")) {
      ASSIGN_OR_RETURN(FileStat c,
                       ctx.conn->Stat(ArgStr(args, "removes"), true, ctx.priv));
      if (!c.exists()) {
        res.data["stdout"] =
            "skipped, since '" + ArgStr(args, "removes") + "' does not exist";
        res.msg = res.data["stdout"];
        return res;
      }
    }
    if (ctx.check_mode && !safe_method) {
      res.skipped = true;
      res.msg = "uri does not send " + method +
                " in check mode (it could change the server)";
      return res;
    }

    std::string dest;
    FileStat dest_st;
    LocalTempFile tmp;
    if (ArgHas(args, "dest")) {
      ASSIGN_OR_RETURN(dest, filemod::ExpandUser(ctx, ArgStr(args, "dest")));
      ASSIGN_OR_RETURN(dest_st, ctx.conn->Stat(dest, true, ctx.priv));
      if (dest_st.type == FileType::kFile && !ArgBool(args, "force")) {
        req.if_modified_since = dest_st.mtime_ns / 1000000000;
      }
      RETURN_IF_ERROR(tmp.Create("uri"));
      req.body_file = tmp.path();
    }
    Result<FetchResponse> got = Fetch(req);
    if (!got.ok()) {
      res.data["status"] = -1;
      res.data["url"] = url;
      res.data["elapsed"] = 0;
      res.data["redirected"] = false;
      return fail("Status code was -1 and not " + CodesText(codes) +
                  ": Request failed: " + got.status().message());
    }
    FetchResponse& r = *got;
    const bool ok_status =
        std::find(codes.begin(), codes.end(), r.status) != codes.end();
    // Ansible merges the response headers into the result (lower-cased,
    // '-' as '_'), then its own keys.
    for (const auto& [k, v] : r.headers) {
      std::string key = k;
      for (auto& c : key) {
        if (c == '-') c = '_';
      }
      if (res.data.contains(key)) {
        res.data[key] = res.data[key].get<std::string>() + ", " + v;
      } else {
        res.data[key] = v;
      }
    }
    if (res.data.contains("location")) {
      res.data["location"] =
          AbsoluteLocation(url, res.data["location"].get<std::string>());
    }
    res.data["url"] = r.final_url;
    res.data["redirected"] = r.final_url != url;
    res.data["status"] = r.status;
    res.data["elapsed"] = static_cast<int64_t>(r.elapsed_s);
    res.data["changed"] = false;
    if (r.status >= 200 && r.status < 400) {
      res.data["msg"] = OkMessage(r);
    } else {
      res.data["msg"] =
          "HTTP Error " + std::to_string(r.status) + ": " + r.reason;
    }

    std::string content = std::move(r.body);
    if (!dest.empty()) {
      if (ok_status && r.status != 304) {
        if (dest_st.type == FileType::kDirectory) {
          std::string name = UrlBasename(r.final_url);
          dest = filemod::JoinPath(dest, name.empty() ? "index.html" : name);
          ASSIGN_OR_RETURN(dest_st, ctx.conn->Stat(dest, true, ctx.priv));
        }
        res.changed = true;
        ASSIGN_OR_RETURN(std::string sha_src,
                         LocalFileDigest(tmp.path(), "sha1"));
        ASSIGN_OR_RETURN(auto sha_dest, TargetFileDigest(ctx, dest, "sha1"));
        if (!ctx.check_mode && (!sha_dest || *sha_dest != sha_src)) {
          ASSIGN_OR_RETURN(
              FileAttrs attrs,
              filemod::WantedAttrs(ctx, args, dest_st.mode, false));
          Status up = ctx.conn->Upload(tmp.path(), dest, attrs, ctx.priv);
          if (!up.ok()) {
            return fail("failed to copy " + tmp.path() + " to " + dest + ": " +
                        up.message());
          }
        }
        if (dest_st.exists() || !ctx.check_mode) {
          ASSIGN_OR_RETURN(filemod::AttrOutcome o,
                           filemod::ApplyFileAttrs(ctx, dest, args, true));
          (void)o;
        }
      }
      res.data["path"] = dest;
      // The body went to the file; content and json come from it.
      bool want = ArgBool(args, "return_content") ||
                  MaybeJson(r.Header("content-type")) || !ok_status;
      if (want) {
        Status rd = ReadFileLimited(tmp.path(), filemod::kMaxFileBytes,
                                    "a uri response", &content);
        if (!rd.ok()) return fail(rd.message());
      }
    }
    if (MaybeJson(r.Header("content-type"))) {
      Value js = Value::parse(content, nullptr, /*allow_exceptions=*/false);
      if (!js.is_discarded()) res.data["json"] = std::move(js);
    }
    if (ArgBool(args, "return_content")) res.data["content"] = content;
    res.data.erase("changed");
    if (!ok_status) {
      std::string detail = res.data["msg"].get<std::string>();
      res.data.erase("msg");
      return fail("Status code was " + std::to_string(r.status) + " and not " +
                  CodesText(codes) + ": " + detail);
    }
    res.msg = res.data["msg"].get<std::string>();
    res.data.erase("msg");
    return res;
  }

 private:
  // "[200, 201]" as Python prints a list of ints.
  static std::string CodesText(const std::vector<int>& codes) {
    std::string s = "[";
    for (size_t i = 0; i < codes.size(); ++i) {
      if (i) s += ", ";
      s += std::to_string(codes[i]);
    }
    return s + "]";
  }

  // Ansible's absolute_location for a Location header.
  static std::string AbsoluteLocation(const std::string& url,
                                      const std::string& loc) {
    if (loc.find("://") != std::string::npos) return loc;
    size_t scheme = url.find("://");
    size_t path = scheme == std::string::npos ? std::string::npos
                                              : url.find('/', scheme + 3);
    if (loc.starts_with('/')) {
      return (path == std::string::npos ? url : url.substr(0, path)) + loc;
    }
    return url.substr(0, url.rfind('/')) + "/" + loc;
  }

  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewUriModule() { return std::make_unique<UriModule>(); }

}  // namespace tend::automate::netmod
