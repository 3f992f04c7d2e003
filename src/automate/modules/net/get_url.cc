// ansible.builtin.get_url: downloads a URL to a file on the target.
//
// Where the download happens: on the controller. The body is streamed to a
// controller temporary file with libcurl, verified (checksum), compared
// with dest (sha1), and only when it differs uploaded over dest with
// Connection::Upload (atomic: a temporary beside dest renamed over it).
// So the request comes from the controller's network, not the target's:
// a URL only the target can reach (its localhost, a private mirror behind
// it) is not reachable, and the controller's proxy settings apply.
//
// Idempotence as Ansible's code does it: with force=no and a checksum that
// dest already matches, nothing is fetched; otherwise an existing dest is
// fetched conditionally (If-Modified-Since its mtime; a 304 is ok) and
// replaced only when the bytes differ. Unlike Ansible (which sends HEAD),
// check mode fetches the body too, so its prediction is exact.
#include <regex>

#include "automate/modules/args.h"
#include "automate/modules/files/file_common.h"
#include "automate/modules/net/net_util.h"

namespace tend::automate::netmod {
namespace {

bool IsHex(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Ansible's re.sub(r'\W+', '', checksum).lower().
std::string CleanChecksum(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (isalnum(static_cast<unsigned char>(c)) || c == '_') {
      out += static_cast<char>(tolower(static_cast<unsigned char>(c)));
    }
  }
  return out;
}

// Content-Disposition: attachment; filename="x" (Ansible's regex).
std::string DispositionName(const std::string& header) {
  static const std::regex re("attachment; ?filename=\"?([^\"]+)");
  std::smatch m;
  if (!std::regex_search(header, m, re) || m.position(0) != 0) return "";
  return filemod::Basename(m[1].str());
}

class GetUrlModule : public Module {
 public:
  GetUrlModule() {
    spec_.name = "get_url";
    spec_.params = {
        Param("url").Required(),
        Param("dest", ParamType::kPath).Required(),
        Param("backup", ParamType::kBool).Default(false),
        Param("checksum").Default(""),
        Param("timeout", ParamType::kInt).Default(10),
        Param("headers", ParamType::kDict),
        Param("force", ParamType::kBool).Default(false).Aliases({"thirsty"}),
        Param("url_username").Aliases({"username"}),
        Param("url_password").Aliases({"password"}),
        Param("force_basic_auth", ParamType::kBool).Default(false),
        Param("validate_certs", ParamType::kBool).Default(true),
        Param("http_agent").Default("ansible-httpget"),
        Param("use_proxy", ParamType::kBool).Default(true),
        Param("tmp_dest", ParamType::kPath),
    };
    filemod::AddFileCommonParams(&spec_.params);
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) override {
    ModuleResult res;
    const std::string url = ArgStr(args, "url");
    ASSIGN_OR_RETURN(std::string dest,
                     filemod::ExpandUser(ctx, ArgStr(args, "dest")));
    bool force = ArgBool(args, "force");
    res.data["url"] = url;
    res.data["dest"] = dest;
    res.data["elapsed"] = 0;
    res.data["checksum_dest"] = nullptr;
    res.data["checksum_src"] = nullptr;
    auto fail = [&](std::string msg) {
      res.failed = true;
      res.msg = std::move(msg);
      return res;
    };

    // checksum: "algorithm:hex" or "algorithm:URL of a checksum file".
    std::string algorithm, checksum;
    if (std::string cs = ArgStr(args, "checksum"); !cs.empty()) {
      size_t colon = cs.find(':');
      if (colon == std::string::npos) {
        return fail(
            "The checksum parameter has to be in format "
            "<algorithm>:<checksum>");
      }
      algorithm = cs.substr(0, colon);
      checksum = cs.substr(colon + 1);
      if (checksum.find("://") != std::string::npos) {
        Result<std::string> found = ChecksumFromUrl(args, checksum, url);
        if (!found.ok()) return fail(found.status().message());
        checksum = *found;
      }
      checksum = CleanChecksum(checksum);
      if (!IsHex(checksum)) return fail("The checksum format is invalid");
      if (!filemod::DigestHex(algorithm, "").has_value()) {
        return fail("unsupported checksum algorithm '" + algorithm +
                    "'; use md5, sha1, sha224, sha256, sha384 or sha512");
      }
    }

    ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(dest, true, ctx.priv));
    const bool dest_is_dir = st.type == FileType::kDirectory;
    int64_t last_mod = 0;
    if (!dest_is_dir && st.exists()) {
      bool mismatch = false;
      if (!force && !checksum.empty()) {
        ASSIGN_OR_RETURN(auto have, TargetFileDigest(ctx, dest, algorithm));
        mismatch = !have || *have != checksum;
        if (!mismatch) {
          ASSIGN_OR_RETURN(filemod::AttrOutcome o,
                           filemod::ApplyFileAttrs(ctx, dest, args, true));
          res.changed = o.changed;
          res.msg = o.changed ? "file already exists but file attributes "
                                "changed"
                              : "file already exists";
          filemod::AddPathInfo(ctx, dest, &res.data);
          return res;
        }
      }
      last_mod = st.mtime_ns / 1000000000;
      if (mismatch) force = true;
    }

    LocalTempFile tmp;
    RETURN_IF_ERROR(tmp.Create("get_url"));
    FetchRequest req = BaseRequest(args);
    req.body_file = tmp.path();
    if (!force && last_mod > 0) {
      req.if_modified_since = last_mod;
    } else {
      req.headers.emplace_back("Cache-Control", "no-cache");
    }
    Result<FetchResponse> got = Fetch(req);
    if (!got.ok()) return fail(got.status().message());
    const FetchResponse& r = *got;
    res.data["elapsed"] = static_cast<int64_t>(r.elapsed_s);
    res.data["status_code"] = r.status;
    if (r.status == 304) {
      res.msg = "Not Modified";
      return res;
    }
    bool plain_file = url.starts_with("file:");
    if (r.status != 200 && !plain_file) {
      res.data["response"] =
          "HTTP Error " + std::to_string(r.status) + ": " + r.reason;
      return fail("Request failed");
    }
    if (dest_is_dir) {
      std::string name = DispositionName(r.Header("content-disposition"));
      if (name.empty()) name = UrlBasename(r.final_url);
      if (name.empty()) name = "index.html";
      dest = filemod::JoinPath(dest, name);
      res.data["dest"] = dest;
      ASSIGN_OR_RETURN(st, ctx.conn->Stat(dest, true, ctx.priv));
    }
    // Verified before it can replace dest (Ansible moves first, then
    // removes a mismatching dest; a bad download never lands here).
    if (!checksum.empty()) {
      ASSIGN_OR_RETURN(std::string got_sum,
                       LocalFileDigest(tmp.path(), algorithm));
      if (got_sum != checksum) {
        return fail("The checksum for " + dest + " did not match " + checksum +
                    "; it was " + got_sum + ".");
      }
    }
    ASSIGN_OR_RETURN(std::string sha_src, LocalFileDigest(tmp.path(), "sha1"));
    res.data["checksum_src"] = sha_src;
    std::optional<std::string> sha_dest;
    if (st.exists()) {
      ASSIGN_OR_RETURN(sha_dest, TargetFileDigest(ctx, dest, "sha1"));
      if (sha_dest) res.data["checksum_dest"] = *sha_dest;
    } else {
      std::string dir = filemod::Dirname(dest);
      ASSIGN_OR_RETURN(FileStat dst,
                       ctx.conn->Stat(dir.empty() ? "." : dir, true, ctx.priv));
      if (dst.type != FileType::kDirectory) {
        return fail("Destination " + dir + " does not exist");
      }
    }
    bool content_changed = !sha_dest || *sha_dest != sha_src;
    if (content_changed && !ctx.check_mode) {
      if (ArgBool(args, "backup") && st.exists()) {
        ASSIGN_OR_RETURN(std::string backup, filemod::BackupFile(ctx, dest));
        res.data["backup_file"] = backup;
      }
      ASSIGN_OR_RETURN(FileAttrs attrs,
                       filemod::WantedAttrs(ctx, args, st.mode, false));
      Status up = ctx.conn->Upload(tmp.path(), dest, attrs, ctx.priv);
      if (!up.ok()) {
        return fail("failed to copy " + tmp.path() + " to " + dest + ": " +
                    up.message());
      }
    }
    res.changed = content_changed;
    if (!(ctx.check_mode && !st.exists())) {
      ASSIGN_OR_RETURN(filemod::AttrOutcome o,
                       filemod::ApplyFileAttrs(ctx, dest, args, true));
      res.changed = res.changed || o.changed;
    }
    if (!ctx.check_mode) {
      ASSIGN_OR_RETURN(auto md5, TargetFileDigest(ctx, dest, "md5"));
      if (md5) res.data["md5sum"] = *md5;
      filemod::AddPathInfo(ctx, dest, &res.data);
    }
    res.msg = OkMessage(r);
    return res;
  }

 private:
  // Ansible's checksum file: one bare digest, or "digest  name" lines of
  // which the one naming the URL's file counts.
  static Result<std::string> ChecksumFromUrl(const Value& args,
                                             const std::string& sums_url,
                                             const std::string& url) {
    FetchRequest req = BaseRequest(args);
    req.url = sums_url;
    req.max_body_bytes = 1 << 20;
    ASSIGN_OR_RETURN(FetchResponse r, Fetch(req));
    if (r.status != 200 && !sums_url.starts_with("file:")) {
      return UnavailableError("Request failed for the checksum file " +
                              sums_url + ": HTTP " + std::to_string(r.status));
    }
    std::string filename = UrlBasename(url);
    std::vector<std::string> lines;
    size_t start = 0;
    while (start < r.body.size()) {
      size_t nl = r.body.find('\n', start);
      if (nl == std::string::npos) nl = r.body.size();
      lines.push_back(r.body.substr(start, nl - start));
      start = nl + 1;
    }
    if (lines.size() == 1 &&
        lines[0].find_first_of(" \t") == std::string::npos) {
      return lines[0];
    }
    for (const auto& line : lines) {
      size_t sp = line.find(' ');
      if (sp == std::string::npos) continue;
      std::string name = line.substr(sp + 1);
      if (name.starts_with(' ') || name.starts_with('*')) name.erase(0, 1);
      size_t lead = name.find_first_not_of("./");
      name = lead == std::string::npos ? "" : name.substr(lead);
      if (name == filename) return line.substr(0, sp);
    }
    return NotFoundError("Unable to find a checksum for file '" + filename +
                         "' in '" + sums_url + "'");
  }

  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewGetUrlModule() {
  return std::make_unique<GetUrlModule>();
}

}  // namespace tend::automate::netmod
