// The file modules, in one explicit list.
#include "automate/modules/files/file_common.h"
#include "automate/modules/module.h"

namespace tend::automate {

void AddFileModules(ModuleList* out) {
  out->push_back(filemod::NewFileModule());
  out->push_back(filemod::NewCopyModule());
  out->push_back(filemod::NewTemplateModule());
  out->push_back(filemod::NewLineinfileModule());
  out->push_back(filemod::NewBlockinfileModule());
  out->push_back(filemod::NewReplaceModule());
  out->push_back(filemod::NewStatModule());
}

}  // namespace tend::automate
