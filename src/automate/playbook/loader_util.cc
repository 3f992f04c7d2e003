#include <sys/stat.h>

#include "automate/playbook/loader_internal.h"

namespace tend::automate::loader_internal {

Status ErrorAt(const SourcePos& pos, const std::string& msg) {
  return Status(StatusCode::kInvalidArgument, pos.ToString() + ": " + msg);
}

std::string DirOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string JoinPath(const std::string& dir, const std::string& rel) {
  if (!rel.empty() && rel[0] == '/') return rel;
  if (dir.empty() || dir == ".") return rel;
  return dir + "/" + rel;
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

bool IsDir(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Expr ExprOf(const YamlDoc::Node& n) { return Expr{*n.value, n.pos, n.unsafe}; }

// `when`, `changed_when`, `failed_when`, `notify`: a scalar or a list.
std::vector<Expr> ExprList(const YamlDoc::Node& n) {
  std::vector<Expr> out;
  if (n.value->is_array()) {
    for (const auto& item : n.items) out.push_back(ExprOf(item));
  } else if (!n.value->is_null()) {
    out.push_back(ExprOf(n));
  }
  return out;
}

Result<std::vector<std::string>> Tags(const YamlDoc::Node& n) {
  std::vector<std::string> out;
  auto add = [&](const Value& v, const SourcePos& pos) -> Status {
    if (v.is_string()) {
      // "a, b" is two tags, as Ansible splits them.
      std::string s = v.get<std::string>();
      size_t start = 0;
      while (start <= s.size()) {
        size_t comma = s.find(',', start);
        std::string t =
            s.substr(start, comma == std::string::npos ? std::string::npos
                                                       : comma - start);
        t.erase(0, t.find_first_not_of(' '));
        t.erase(t.find_last_not_of(' ') + 1);
        if (!t.empty()) out.push_back(t);
        if (comma == std::string::npos) break;
        start = comma + 1;
      }
      return Status::Ok();
    }
    if (v.is_number()) {
      out.push_back(v.dump());
      return Status::Ok();
    }
    return ErrorAt(pos, "tags must be strings");
  };
  if (n.value->is_array()) {
    for (const auto& item : n.items) {
      RETURN_IF_ERROR(add(*item.value, item.pos));
    }
  } else if (!n.value->is_null()) {
    RETURN_IF_ERROR(add(*n.value, n.pos));
  }
  return out;
}

Status NeedMapping(const YamlDoc::Node& n, std::string_view what) {
  if (!n.value->is_object()) {
    return ErrorAt(n.pos, std::string(what) + " must be a mapping");
  }
  return Status::Ok();
}

}  // namespace tend::automate::loader_internal
