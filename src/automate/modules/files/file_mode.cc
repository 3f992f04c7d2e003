// Ansible's mode syntax: octal, integers and symbolic modes.
#include <cstdio>

#include "automate/modules/files/file_common.h"

namespace tend::automate::filemod {
namespace {

// Python's int(s, 8): an optional "0o" prefix, octal digits,
// surrounding whitespace allowed.
std::optional<uint32_t> ParseOctal(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'o' || s[1] == 'O')) {
    s.remove_prefix(2);
  }
  if (s.empty() || s.size() > 11) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '7') return std::nullopt;
    v = v * 8 + static_cast<uint64_t>(c - '0');
  }
  return static_cast<uint32_t>(v);
}

constexpr uint32_t kIRWXU = 0700, kIRWXG = 070, kIRWXO = 07;

// The bits `perms` stand for, for one class `who` (Ansible's
// _get_octal_mode_from_symbolic_perms): prev is the mode before the whole
// symbolic expression.
uint32_t PermBits(char who, std::string_view perms, uint32_t prev, bool is_dir,
                  bool use_umask, uint32_t umask) {
  const uint32_t rev_umask = umask ^ 07777;
  const bool apply_x = is_dir || (prev & 0111) != 0;
  const int shift = who == 'u' ? 6 : who == 'g' ? 3 : 0;
  uint32_t out = 0;
  for (char p : perms) {
    uint32_t bit = 0;
    switch (p) {
      case 'r':
      case 'w':
      case 'x': {
        uint32_t b = (p == 'r' ? 4u : p == 'w' ? 2u : 1u) << shift;
        bit = use_umask ? (rev_umask & b) : b;
        break;
      }
      case 'X':
        bit = apply_x ? (1u << shift) : 0;
        break;
      case 's':
        bit = who == 'u' ? 04000 : who == 'g' ? 02000 : 0;
        break;
      case 't':
        bit = who == 'o' ? 01000 : 0;
        break;
      case 'u':
        bit = (((prev & kIRWXU) >> 6) << shift);
        break;
      case 'g':
        bit = (((prev & kIRWXG) >> 3) << shift);
        break;
      case 'o':
        bit = ((prev & kIRWXO) << shift);
        break;
    }
    out |= bit;
  }
  return out;
}

Result<uint32_t> ParseSymbolic(std::string_view text, uint32_t current,
                               bool is_dir, uint32_t umask) {
  uint32_t mode = current & 07777;
  const uint32_t prev = mode;
  auto bad = [&](std::string_view clause) {
    return InvalidArgumentError(
        "mode must be in octal or symbolic form: bad symbolic permission "
        "for mode: " +
        std::string(clause));
  };
  size_t start = 0;
  while (true) {
    size_t comma = text.find(',', start);
    std::string_view clause = text.substr(
        start, comma == std::string_view::npos ? comma : comma - start);
    size_t op = clause.find_first_of("+=-");
    std::string users(clause.substr(0, op));
    const bool use_umask = users.empty();
    if (users.empty() || users == "a") users = "ugo";
    if (users.find_first_not_of("ugo") != std::string::npos) {
      return bad(clause);
    }
    while (op != std::string_view::npos) {
      char oper = clause[op];
      size_t next = clause.find_first_of("+=-", op + 1);
      std::string_view perms = clause.substr(
          op + 1, next == std::string_view::npos ? next : next - op - 1);
      if (perms.find_first_not_of("rwxXstugo") != std::string_view::npos) {
        return bad(clause);
      }
      for (char who : users) {
        uint32_t bits = PermBits(who, perms, prev, is_dir, use_umask, umask);
        if (oper == '=') {
          uint32_t mask = who == 'u'   ? (kIRWXU | 04000)
                          : who == 'g' ? (kIRWXG | 02000)
                                       : (kIRWXO | 01000);
          mode = (mode & (mask ^ 07777)) | bits;
        } else if (oper == '+') {
          mode |= bits;
        } else {
          mode &= ~bits;
        }
      }
      op = next;
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return mode;
}

bool NeedsUmask(const Value& mode) {
  if (!mode.is_string()) return false;
  const std::string& s = mode.get_ref<const std::string&>();
  if (ParseOctal(s)) return false;
  size_t start = 0;
  while (start <= s.size()) {
    if (start == s.size() || s[start] == '+' || s[start] == '-' ||
        s[start] == '=') {
      return true;
    }
    size_t comma = s.find(',', start);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return false;
}

}  // namespace

Result<uint32_t> ResolveMode(ModuleContext& ctx, const Value& mode,
                             uint32_t current, bool is_dir) {
  uint32_t umask = NeedsUmask(mode) ? TargetUmask(ctx) : 022;
  return ParseMode(mode, current, is_dir, umask);
}

Result<uint32_t> ParseMode(const Value& mode, uint32_t current, bool is_dir,
                           uint32_t umask) {
  if (mode.is_number_integer()) {
    int64_t v = mode.get<int64_t>();
    if (v < 0 || v > 07777) {
      return InvalidArgumentError(
          "Invalid mode supplied, only permission info is allowed: " +
          std::to_string(v) + " (an integer mode is taken as the mode's " +
          "value; quote octal modes: '0644')");
    }
    return static_cast<uint32_t>(v);
  }
  if (!mode.is_string()) {
    return InvalidArgumentError("mode must be in octal or symbolic form; got " +
                                mode.dump());
  }
  const std::string& s = mode.get_ref<const std::string&>();
  if (std::optional<uint32_t> oct = ParseOctal(s)) {
    if (*oct > 07777) {
      return InvalidArgumentError(
          "Invalid mode supplied, only permission info is allowed: " + s);
    }
    return *oct;
  }
  return ParseSymbolic(s, current, is_dir, umask);
}

std::string ModeString(uint32_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "0%03o", mode);
  return buf;
}

uint32_t TargetUmask(ModuleContext& ctx) {
  ExecRequest req;
  req.shell = "umask";
  req.priv = ctx.priv;
  Result<ExecResult> r = ctx.conn->Exec(req);
  if (r.ok() && r->exit_code == 0) {
    if (std::optional<uint32_t> v =
            ParseOctal(r->out.substr(0, r->out.find('\n')))) {
      return *v & 0777;
    }
  }
  return 022;
}

}  // namespace tend::automate::filemod
