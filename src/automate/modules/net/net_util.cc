#include "automate/modules/net/net_util.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>

#include "automate/modules/args.h"
#include "automate/modules/system/system_util.h"

namespace tend::automate::netmod {

LocalTempFile::~LocalTempFile() {
  if (!path_.empty()) unlink(path_.c_str());
}

Status LocalTempFile::Create(std::string_view prefix) {
  const char* dir = getenv("TMPDIR");
  std::string tmpl = std::string(dir && *dir ? dir : "/tmp") + "/tend-" +
                     std::string(prefix) + "-XXXXXX";
  int fd = mkostemp(tmpl.data(), O_CLOEXEC);
  if (fd < 0) return ErrnoError("creating a temporary file " + tmpl, errno);
  close(fd);
  path_ = tmpl;
  return Status::Ok();
}

Result<std::string> LocalFileDigest(const std::string& path,
                                    std::string_view algorithm) {
  const EVP_MD* md = EVP_get_digestbyname(std::string(algorithm).c_str());
  if (md == nullptr) {
    return InvalidArgumentError("unsupported hash algorithm '" +
                                std::string(algorithm) +
                                "'; use md5, sha1, sha224, sha256, sha384 "
                                "or sha512");
  }
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError("opening " + path, errno);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> mdctx(
      EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(mdctx.get(), md, nullptr);
  std::string buf(1 << 16, '\0');
  while (true) {
    ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      close(fd);
      return ErrnoError("reading " + path, err);
    }
    if (n == 0) break;
    EVP_DigestUpdate(mdctx.get(), buf.data(), static_cast<size_t>(n));
  }
  close(fd);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(mdctx.get(), out, &len);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned i = 0; i < len; ++i) {
    hex += kHex[out[i] >> 4];
    hex += kHex[out[i] & 15];
  }
  return hex;
}

Result<std::optional<std::string>> TargetFileDigest(
    ModuleContext& ctx, const std::string& path, std::string_view algorithm) {
  ASSIGN_OR_RETURN(FileStat st, ctx.conn->Stat(path, true, ctx.priv));
  if (st.type != FileType::kFile) return std::optional<std::string>();
  if (ctx.conn->is_local() && !ctx.priv.become) {
    ASSIGN_OR_RETURN(std::string d, LocalFileDigest(path, algorithm));
    return std::optional<std::string>(d);
  }
  std::string tool = std::string(algorithm) + "sum";
  ASSIGN_OR_RETURN(ExecResult r, sysmod::Run(ctx, {tool, "--", path}));
  if (r.exit_code != 0) {
    return InternalError(sysmod::DescribeFailure({tool, "--", path}, r));
  }
  std::string out = r.out.substr(0, r.out.find(' '));
  if (out.starts_with('\\')) out.erase(0, 1);  // escaped names
  return std::optional<std::string>(out);
}

FetchRequest BaseRequest(const Value& args) {
  FetchRequest req;
  req.url = ArgStr(args, "url");
  req.user = ArgStr(args, "url_username");
  req.password = ArgStr(args, "url_password");
  req.force_basic_auth = ArgBool(args, "force_basic_auth");
  req.validate_certs = ArgBool(args, "validate_certs", true);
  req.timeout_s = static_cast<int>(ArgInt(args, "timeout", 10));
  if (ArgHas(args, "http_agent")) {
    req.headers.emplace_back("User-Agent", ArgStr(args, "http_agent"));
  }
  if (ArgHas(args, "headers")) {
    for (const auto& [k, v] : args["headers"].items()) {
      req.headers.emplace_back(k,
                               v.is_string() ? v.get<std::string>() : v.dump());
    }
  }
  return req;
}

std::string OkMessage(const FetchResponse& r) {
  std::string len = r.Header("content-length");
  return "OK (" + (len.empty() ? std::string("unknown") : len) + " bytes)";
}

}  // namespace tend::automate::netmod
