#include "automate/transport/host_keys.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "base/file_util.h"

namespace tend::automate {
namespace {

// Base64 decoding of the salt and hash of a hashed entry; false on bad
// input.
bool Base64Decode(std::string_view in, std::string* out) {
  out->assign((in.size() / 4 + 1) * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out->data()),
                          reinterpret_cast<const unsigned char*>(in.data()),
                          static_cast<int>(in.size()));
  if (n < 0 || in.size() % 4 != 0) return false;
  size_t pad = 0;
  if (!in.empty() && in.back() == '=') ++pad;
  if (in.size() > 1 && in[in.size() - 2] == '=') ++pad;
  out->resize(static_cast<size_t>(n) - pad);
  return true;
}

bool HashedMatches(std::string_view field, std::string_view name) {
  // |1|base64(salt)|base64(HMAC-SHA1(salt, name))
  field.remove_prefix(3);
  size_t bar = field.find('|');
  if (bar == std::string_view::npos) return false;
  std::string salt, hash;
  if (!Base64Decode(field.substr(0, bar), &salt) ||
      !Base64Decode(field.substr(bar + 1), &hash)) {
    return false;
  }
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  if (HMAC(EVP_sha1(), salt.data(), static_cast<int>(salt.size()),
           reinterpret_cast<const unsigned char*>(name.data()), name.size(),
           mac, &mac_len) == nullptr) {
    return false;
  }
  return hash.size() == mac_len &&
         std::string_view(reinterpret_cast<const char*>(mac), mac_len) == hash;
}

}  // namespace

std::string KnownHostsName(std::string_view address, int port) {
  if (port == 22) return std::string(address);
  return "[" + std::string(address) + "]:" + std::to_string(port);
}

std::vector<int> KnownHostsLines(std::string_view text, std::string_view name) {
  std::vector<int> out;
  int lineno = 0;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    ++lineno;
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string_view::npos || line[start] == '#' ||
        line[start] == '@') {
      continue;
    }
    line.remove_prefix(start);
    std::string_view hosts = line.substr(0, line.find_first_of(" \t"));
    if (hosts.starts_with("|1|")) {
      if (HashedMatches(hosts, name)) out.push_back(lineno);
      continue;
    }
    while (!hosts.empty()) {
      size_t comma = hosts.find(',');
      if (hosts.substr(0, comma) == name) {
        out.push_back(lineno);
        break;
      }
      if (comma == std::string_view::npos) break;
      hosts.remove_prefix(comma + 1);
    }
  }
  return out;
}

std::vector<int> KnownHostsFileLines(const std::string& path,
                                     std::string_view name) {
  std::string text;
  if (!ReadFileLimited(path, 64u << 20, "known_hosts", &text).ok()) return {};
  return KnownHostsLines(text, name);
}

}  // namespace tend::automate
