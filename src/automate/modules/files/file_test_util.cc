#include "automate/modules/files/file_test_util.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "automate/modules/args.h"

namespace tend::automate::filemod {

namespace fs = std::filesystem;

FileModuleTest::FileModuleTest() {
  std::string tmpl = (fs::temp_directory_path() / "tend-fm-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) ADD_FAILURE() << "mkdtemp";
  root_ = tmpl;
  files_dir_ = root_ + "/controller";
  fs::create_directory(files_dir_);
  fs::create_directory(root_ + "/t");
}

FileModuleTest::~FileModuleTest() {
  std::error_code ec;
  fs::remove_all(root_, ec);
}

std::string FileModuleTest::P(std::string_view name) const {
  return root_ + "/" + std::string(name);
}

void FileModuleTest::Put(std::string_view name, std::string_view text,
                         int mode) {
  std::ofstream(P(name), std::ios::binary) << text;
  ::chmod(P(name).c_str(), static_cast<mode_t>(mode));
}

std::string FileModuleTest::Get(std::string_view name) const {
  std::ifstream in(P(name), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

uint32_t FileModuleTest::Mode(std::string_view name) const {
  struct stat s;
  if (::lstat(P(name).c_str(), &s) != 0) return 0;
  return s.st_mode & 07777;
}

bool FileModuleTest::Exists(std::string_view name) const {
  struct stat s;
  return ::lstat(P(name).c_str(), &s) == 0;
}

ModuleResult FileModuleTest::Run(Module& m, const Value& args, bool check,
                                 bool diff) {
  Result<Value> valid = ValidateArgs(m.spec(), args);
  if (!valid.ok()) {
    ModuleResult r;
    r.failed = true;
    r.msg = valid.status().message();
    return r;
  }
  ModuleContext ctx;
  ctx.conn = &conn_;
  ctx.ids = &ids_;
  ctx.check_mode = check;
  ctx.diff = diff;
  ctx.clock = &clock_;
  ctx.find_src = [this](std::string_view src,
                        std::string_view) -> Result<std::string> {
    if (!src.empty() && src[0] == '/') return std::string(src);
    std::string p = files_dir_ + "/" + std::string(src);
    std::error_code ec;
    if (!fs::exists(p, ec)) {
      return NotFoundError("could not find '" + std::string(src) + "' in " +
                           files_dir_);
    }
    return p;
  };
  ctx.render_file = [](const std::string& path) -> Result<std::string> {
    // A stand-in renderer: {{ name }} becomes "world".
    std::ifstream in(path, std::ios::binary);
    if (!in) return NotFoundError("no template " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    size_t at;
    while ((at = s.find("{{ name }}")) != std::string::npos) {
      s.replace(at, 10, "world");
    }
    return s;
  };
  Result<ModuleResult> r = m.Run(*valid, ctx);
  if (!r.ok()) {
    ModuleResult f;
    f.failed = true;
    f.msg = r.status().message();
    return f;
  }
  return std::move(*r);
}

ModuleResult FileModuleTest::ExpectConverges(Module& m, const Value& args) {
  const auto before = Snapshot();
  ModuleResult check = Run(m, args, /*check=*/true);
  EXPECT_FALSE(check.failed) << check.msg;
  EXPECT_TRUE(check.changed) << "check mode should predict a change";
  EXPECT_EQ(Snapshot(), before) << "check mode changed the tree";
  ModuleResult first = Run(m, args);
  EXPECT_FALSE(first.failed) << first.msg;
  EXPECT_TRUE(first.changed) << "the first run should change";
  ModuleResult second = Run(m, args);
  EXPECT_FALSE(second.failed) << second.msg;
  EXPECT_FALSE(second.changed) << "the second run should be ok";
  ModuleResult check2 = Run(m, args, /*check=*/true);
  EXPECT_FALSE(check2.changed) << "check mode after convergence";
  return first;
}

std::map<std::string, std::string> FileModuleTest::Snapshot() const {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(root_ + "/t", ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string p = it->path().string();
    struct stat s;
    if (::lstat(p.c_str(), &s) != 0) continue;
    std::string desc = std::to_string(s.st_mode) + " " +
                       std::to_string(s.st_uid) + " " +
                       std::to_string(s.st_mtim.tv_sec) + "." +
                       std::to_string(s.st_mtim.tv_nsec);
    if (S_ISLNK(s.st_mode)) {
      desc += " -> " + fs::read_symlink(p, ec).string();
    } else if (S_ISREG(s.st_mode)) {
      std::ifstream in(p, std::ios::binary);
      std::stringstream ss;
      ss << in.rdbuf();
      desc += " " + ss.str();
    }
    out[p.substr(root_.size())] = desc;
  }
  return out;
}

Value J(std::string_view json) {
  Value v = Value::parse(json, nullptr, false);
  if (v.is_discarded()) ADD_FAILURE() << "bad test JSON: " << json;
  return v;
}

}  // namespace tend::automate::filemod
