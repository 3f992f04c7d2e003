// ConfigError: one problem found in a configuration file, with where it is.
#ifndef TEND_CONFIG_CONFIG_ERROR_H_
#define TEND_CONFIG_CONFIG_ERROR_H_

#include <string>
#include <vector>

#include "base/status.h"

namespace tend {

struct ConfigError {
  std::string file;  // As given by the caller ("tend.yml", "<string>").
  int line = 0;      // 1-based; 0 when the error is about the whole file.
  int column = 0;    // 1-based; 0 when the error is about the whole file.
  // Dotted path of the offending value ("agent.interval",
  // "collectors.processes.top_n"). Empty for errors about the document's
  // shape (syntax, unknown or duplicate keys), whose message names the
  // section itself.
  std::string path;
  std::string message;

  // "tend.yml:3:13: agent.interval: want a duration ..."; the position is
  // left out when line is 0 and the path when it is empty.
  std::string ToString() const;

  friend bool operator==(const ConfigError&, const ConfigError&) = default;
};

// Collects every error found while loading one file, in the order found.
class ConfigErrors {
 public:
  explicit ConfigErrors(std::string file) : file_(std::move(file)) {}

  // `line` and `column` are 1-based (0: no position).
  void Add(int line, int column, std::string path, std::string message);

  bool empty() const { return errors_.empty(); }
  // Every error added, including those past kMaxReported.
  size_t count() const { return errors_.size() + dropped_; }
  const std::vector<ConfigError>& errors() const { return errors_; }
  const std::string& file() const { return file_; }

  // OK when there are no errors; otherwise kInvalidArgument whose message is
  // every error's ToString(), one per line. Past kMaxReported errors the
  // rest are summarized as "... and N more errors" so a hostile file cannot
  // produce an unbounded message.
  Status ToStatus() const;

  static constexpr size_t kMaxReported = 100;

 private:
  std::string file_;
  std::vector<ConfigError> errors_;
  size_t dropped_ = 0;  // Errors past kMaxReported, counted but not kept.
};

}  // namespace tend

#endif  // TEND_CONFIG_CONFIG_ERROR_H_
