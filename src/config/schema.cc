#include "config/schema.h"

namespace tend {

std::string_view FieldKindName(FieldKind kind) {
  switch (kind) {
    case FieldKind::kBool:
      return "bool";
    case FieldKind::kInt:
      return "integer";
    case FieldKind::kDouble:
      return "number";
    case FieldKind::kString:
      return "string";
    case FieldKind::kEnum:
      return "enum";
    case FieldKind::kDuration:
      return "duration";
    case FieldKind::kStringList:
      return "list of strings";
    case FieldKind::kRegex:
      return "regex";
    case FieldKind::kSection:
      return "section";
    case FieldKind::kSectionList:
      return "list of sections";
  }
  return "?";
}

const Field* SchemaBase::Find(std::string_view name) const {
  for (const Field& f : fields_) {
    if (f.name == name) return &f;
  }
  return nullptr;
}

void SchemaBase::AddField(Field field) {
  // Two rows with one name would make one of them unreachable from YAML.
  assert(Find(field.name) == nullptr);
  fields_.push_back(std::move(field));
}

void SchemaBase::Splice(const SchemaBase& from,
                        std::function<void*(void*)> access) {
  for (const Field& original : from.fields_) {
    Field f = original;
    if (f.kind == FieldKind::kSection) {
      f.sub = [access, inner = original.sub](void* o) {
        return inner(access(o));
      };
    } else if (f.kind == FieldKind::kSectionList) {
      f.list_size = [access, inner = original.list_size](const void* o) {
        return inner(access(const_cast<void*>(o)));
      };
      f.list_at = [access, inner = original.list_at](void* o, size_t i) {
        return inner(access(o), i);
      };
      f.list_resize = [access, inner = original.list_resize](
                          void* o, size_t n) { inner(access(o), n); };
    } else {
      f.get = [access, inner = original.get](const void* o) {
        return inner(access(const_cast<void*>(o)));
      };
      f.set = [access, inner = original.set](void* o, FieldValue v) {
        inner(access(o), std::move(v));
      };
    }
    AddField(std::move(f));
  }
  for (const Check& check : from.checks_) {
    checks_.push_back([access, check](const void* o) {
      return check(access(const_cast<void*>(o)));
    });
  }
}

bool SchemaBase::Equal(const void* a, const void* b) const {
  for (const Field& f : fields_) {
    if (f.kind == FieldKind::kSection) {
      if (!f.section->Equal(f.sub(const_cast<void*>(a)),
                            f.sub(const_cast<void*>(b)))) {
        return false;
      }
    } else if (f.kind == FieldKind::kSectionList) {
      size_t n = f.list_size(a);
      if (n != f.list_size(b)) return false;
      for (size_t i = 0; i < n; ++i) {
        if (!f.section->Equal(f.list_at(const_cast<void*>(a), i),
                              f.list_at(const_cast<void*>(b), i))) {
          return false;
        }
      }
    } else if (f.get(a) != f.get(b)) {
      return false;
    }
  }
  return true;
}

}  // namespace tend
