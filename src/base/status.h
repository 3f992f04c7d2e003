// Status and Result<T>: errors as values.
//
// tend's own code does not throw. A function that can fail returns Status (or
// Result<T> when it also produces a value); callers must look at it
// ([[nodiscard]]). Failure is ordinary in operations work (a file vanished, a
// host is unreachable) and travels as data up to the API, alert or report.
#ifndef TEND_BASE_STATUS_H_
#define TEND_BASE_STATUS_H_

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace tend {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kPermissionDenied,
  kFailedPrecondition,
  kOutOfRange,
  kResourceExhausted,
  kDeadlineExceeded,
  kUnavailable,
  kDataLoss,
  kUnimplemented,
  kInternal,
};

std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK.
  Status(StatusCode code, std::string message)
      : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "NotFound: /proc/pressure/cpu: No such file or directory"; "OK" if ok.
  std::string ToString() const;

  // Returns a copy whose message is "context: message" (no-op when ok).
  Status WithContext(std::string_view context) const;

  // Marks a status as deliberately ignored.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

Status InvalidArgumentError(std::string message);
Status NotFoundError(std::string message);
Status AlreadyExistsError(std::string message);
Status PermissionDeniedError(std::string message);
Status FailedPreconditionError(std::string message);
Status OutOfRangeError(std::string message);
Status ResourceExhaustedError(std::string message);
Status DeadlineExceededError(std::string message);
Status UnavailableError(std::string message);
Status DataLossError(std::string message);
Status UnimplementedError(std::string message);
Status InternalError(std::string message);

// Maps an errno value to a Status: "what: strerror(err)" with a code that
// follows the errno (ENOENT -> kNotFound, EACCES/EPERM -> kPermissionDenied,
// ...).
Status ErrnoError(std::string_view what, int err);

// A value or the error that prevented it. Constructing from an OK Status is a
// programming error (asserted in debug builds, becomes kInternal otherwise).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit on purpose
  Result(Status status) : status_(std::move(status)) {  // NOLINT
    assert(!status_.ok());
    if (status_.ok()) status_ = InternalError("Result built from OK status");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  T& value() & {
    assert(ok());
    return *value_;
  }
  const T& value() const& {
    assert(ok());
    return *value_;
  }
  T&& value() && {
    assert(ok());
    return std::move(*value_);
  }
  T value_or(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  Status status_;  // OK exactly when value_ holds a value.
  std::optional<T> value_;
};

namespace internal {
inline const Status& AsStatus(const Status& s) { return s; }
template <typename T>
const Status& AsStatus(const Result<T>& r) {
  return r.status();
}
}  // namespace internal

}  // namespace tend

#define TEND_CONCAT_INNER_(a, b) a##b
#define TEND_CONCAT_(a, b) TEND_CONCAT_INNER_(a, b)

// Returns the status of `expr` (a Status or Result) from the enclosing
// function when it is not OK.
#define RETURN_IF_ERROR(expr)                              \
  do {                                                     \
    const auto& tend_status_or_ = (expr);                  \
    if (!::tend::internal::AsStatus(tend_status_or_).ok()) \
      return ::tend::internal::AsStatus(tend_status_or_);  \
  } while (0)

#define TEND_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return tmp.status();               \
  lhs = std::move(tmp).value()

// `ASSIGN_OR_RETURN(auto x, Foo());` declares x from Foo()'s value or returns
// its error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  TEND_ASSIGN_OR_RETURN_IMPL_(TEND_CONCAT_(tend_result_, __LINE__), lhs, expr)

#endif  // TEND_BASE_STATUS_H_
