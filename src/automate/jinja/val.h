// What evaluating an expression yields: a Value, owned or borrowed from a
// variable that outlives the evaluation, or Undefined (a missing variable
// or attribute, carrying the message to report if it is used).
#ifndef TEND_AUTOMATE_JINJA_VAL_H_
#define TEND_AUTOMATE_JINJA_VAL_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "automate/value.h"

namespace tend::automate::jinja {

class Val {
 public:
  Val() = default;                        // None
  Val(Value v) : owned_(std::move(v)) {}  // NOLINT: implicit on purpose

  // Borrows *v; the caller guarantees it outlives this Val.
  static Val Ref(const Value* v) {
    Val out;
    out.kind_ = kRef;
    out.ref_ = v;
    return out;
  }
  // message: "'x' is undefined", "'dict object' has no attribute 'y'".
  static Val Undefined(std::string message, uint32_t offset) {
    Val out;
    out.kind_ = kUndef;
    out.owned_ = std::move(message);
    out.offset_ = offset;
    return out;
  }

  bool undefined() const { return kind_ == kUndef; }
  // Borrowed: v() outlives this Val.
  bool borrowed() const { return kind_ == kRef; }
  // The value; must not be called on Undefined.
  const Value& v() const { return kind_ == kRef ? *ref_ : owned_; }
  // The value, moved out when owned, copied when borrowed.
  Value Take() && { return kind_ == kRef ? *ref_ : std::move(owned_); }
  const std::string& undefined_message() const {
    return owned_.get_ref<const std::string&>();
  }
  uint32_t undefined_offset() const { return offset_; }

 private:
  enum Kind : uint8_t { kOwned, kRef, kUndef };
  Kind kind_ = kOwned;
  uint32_t offset_ = 0;
  const Value* ref_ = nullptr;
  Value owned_;
};

// Arguments of a filter, test or function call, evaluated.
struct CallArgs {
  std::vector<Val> pos;
  std::vector<std::pair<std::string_view, Val>> kw;
};

}  // namespace tend::automate::jinja

#endif  // TEND_AUTOMATE_JINJA_VAL_H_
