// ansible.builtin.template: renders a controller-side Jinja2 file with the
// task's variables (ctx.render_file) and puts it like copy's content.
#include <filesystem>

#include "automate/modules/args.h"
#include "automate/modules/files/file_common.h"

namespace tend::automate::filemod {
namespace {

class TemplateModule : public Module {
 public:
  TemplateModule() {
    spec_.name = "template";
    spec_.params = {
        Param("src", ParamType::kPath).Required(),
        Param("dest", ParamType::kPath).Required(),
        Param("force", ParamType::kBool).Default(true),
        Param("backup", ParamType::kBool).Default(false),
        Param("validate"),
        Param("follow", ParamType::kBool).Default(false),
        Param("newline_sequence").Default("\n").Choices({"\n", "\r", "\r\n"}),
        Param("trim_blocks", ParamType::kBool).Default(true),
        Param("lstrip_blocks", ParamType::kBool).Default(false),
        Param("output_encoding").Default("utf-8"),
    };
    AddFileCommonParams(&spec_.params);
  }
  const ModuleSpec& spec() const override { return spec_; }

  Result<ModuleResult> Run(const Value& args, ModuleContext& ctx) override {
    const std::string src = ArgStr(args, "src");
    ASSIGN_OR_RETURN(std::string dest, ExpandUser(ctx, ArgStr(args, "dest")));
    if (!ctx.render_file) {
      return Fail("template: no template renderer in this context");
    }
    std::string local = src;
    if (ctx.find_src) {
      Result<std::string> found = ctx.find_src(src, "templates");
      if (!found.ok()) {
        return Fail("Could not find or access '" + src +
                    "': " + found.status().message());
      }
      local = *found;
    }
    Result<std::string> text = ctx.render_file(local);
    if (!text.ok()) return Fail(text.status().message());
    PutSource put;
    put.content = std::move(*text);
    // Jinja renders with "\n"; newline_sequence converts the line ends.
    const std::string nl = ArgStr(args, "newline_sequence", "\n");
    if (nl != "\n") {
      std::string converted;
      converted.reserve(put.content.size());
      for (char c : put.content) {
        if (c == '\n') {
          converted += nl;
        } else {
          converted += c;
        }
      }
      put.content = std::move(converted);
    }
    put.display = local;
    std::error_code ec;
    auto perms = std::filesystem::status(local, ec).permissions();
    if (!ec) put.mode = static_cast<uint32_t>(perms) & 07777;
    Value copy_args = args;
    copy_args.erase("src");
    return PutFile(ctx, copy_args, put, dest, false);
  }

 private:
  ModuleSpec spec_;
};

}  // namespace

std::unique_ptr<Module> NewTemplateModule() {
  return std::make_unique<TemplateModule>();
}

}  // namespace tend::automate::filemod
