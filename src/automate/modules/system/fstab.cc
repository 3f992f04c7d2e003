#include "automate/modules/system/fstab.h"

#include "automate/modules/system/system_util.h"

namespace tend::automate::sysmod {
namespace {

// Python's readlines(): each line keeps its "\n"; the last may lack it.
std::vector<std::string> ReadLines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    size_t end = nl == std::string_view::npos ? text.size() : nl + 1;
    lines.emplace_back(text.substr(start, end - start));
    start = end;
  }
  return lines;
}

bool IsCommentOrBlank(std::string_view line) {
  std::string_view t = TrimSpace(line);
  return t.empty() || t[0] == '#';
}

bool IsOtherSwap(const std::vector<std::string>& f, const std::string& src) {
  return !src.empty() && f[1] == "none" && f[2] == "swap" && f[0] != src;
}

std::string Render(const FstabEntry& e) {
  return e.src + " " + e.name + " " + e.fstype + " " + e.opts + " " + e.dump +
         " " + e.passno + "\n";
}

}  // namespace

std::string EscapeFstab(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') {
      out += "\\134";
    } else if (c == ' ') {
      out += "\\040";
    } else if (c == '&') {
      out += "\\046";
    } else {
      out += c;
    }
  }
  return out;
}

std::string UnescapeOctal(std::string_view v) {
  auto is_octal = [](char c) { return c >= '0' && c <= '7'; };
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (v[i] == '\\' && v.size() - i >= 4 && is_octal(v[i + 1]) &&
        is_octal(v[i + 2]) && is_octal(v[i + 3])) {
      out += static_cast<char>((v[i + 1] - '0') * 64 + (v[i + 2] - '0') * 8 +
                               (v[i + 3] - '0'));
      i += 3;
      continue;
    }
    out += v[i];
  }
  return out;
}

FstabEdit SetFstabEntry(std::string_view text, const FstabEntry& given) {
  FstabEntry want{EscapeFstab(given.src),    EscapeFstab(given.name),
                  EscapeFstab(given.fstype), EscapeFstab(given.opts),
                  EscapeFstab(given.dump),   EscapeFstab(given.passno)};
  FstabEdit edit;
  bool exists = false;
  for (std::string line : ReadLines(text)) {
    if (line.empty() || line.back() != '\n') line += '\n';
    if (IsCommentOrBlank(line)) {
      edit.text += line;
      continue;
    }
    std::vector<std::string> f =
        SplitWhitespace(std::string_view(line).substr(0, line.find('#')));
    if (f.size() < 4 || f.size() > 6 || f[1] != want.name ||
        IsOtherSwap(f, given.src)) {
      edit.text += line;
      continue;
    }
    exists = true;
    FstabEntry have{f[0],
                    f[1],
                    f[2],
                    f[3],
                    f.size() > 4 ? f[4] : "",
                    f.size() > 5 ? f[5] : ""};
    // A missing dump/passno reads as the integer 0 in Ansible, which never
    // equals the string it compares with.
    bool differs = have.src != want.src || have.fstype != want.fstype ||
                   have.opts != want.opts || have.dump != want.dump ||
                   have.passno != want.passno || f.size() < 6;
    if (differs) {
      edit.changed = true;
      edit.text += Render(want);
    } else {
      edit.text += line;
    }
  }
  if (!exists) {
    edit.text += Render(want);
    edit.changed = true;
  }
  return edit;
}

FstabEdit RemoveFstabEntry(std::string_view text, const std::string& name,
                           const std::string& src) {
  std::string want = EscapeFstab(name);
  FstabEdit edit;
  for (const std::string& line : ReadLines(text)) {
    if (IsCommentOrBlank(line)) {
      edit.text += line;
      continue;
    }
    std::vector<std::string> f = SplitWhitespace(line);
    if (f.size() != 6 || f[1] != want || IsOtherSwap(f, src)) {
      edit.text += line;
      continue;
    }
    edit.changed = true;
  }
  return edit;
}

std::vector<std::string> MountPoints(std::string_view mountinfo) {
  std::vector<std::string> out;
  for (const auto& line : SplitLines(mountinfo)) {
    std::vector<std::string> f = SplitWhitespace(line);
    if (f.size() >= 5) out.push_back(UnescapeOctal(f[4]));
  }
  return out;
}

}  // namespace tend::automate::sysmod
