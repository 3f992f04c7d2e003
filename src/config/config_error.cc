#include "config/config_error.h"

namespace tend {

std::string ConfigError::ToString() const {
  std::string out = file;
  if (line > 0) {
    out += ":" + std::to_string(line) + ":" + std::to_string(column);
  }
  out += ": ";
  if (!path.empty()) out += path + ": ";
  out += message;
  return out;
}

void ConfigErrors::Add(int line, int column, std::string path,
                       std::string message) {
  if (errors_.size() >= kMaxReported) {
    ++dropped_;
    return;
  }
  errors_.push_back(
      ConfigError{file_, line, column, std::move(path), std::move(message)});
}

Status ConfigErrors::ToStatus() const {
  if (errors_.empty()) return Status::Ok();
  std::string message;
  for (const ConfigError& e : errors_) {
    if (!message.empty()) message += '\n';
    message += e.ToString();
  }
  if (dropped_ > 0) {
    message += "\n... and " + std::to_string(dropped_) + " more error" +
               (dropped_ == 1 ? "" : "s");
  }
  return InvalidArgumentError(std::move(message));
}

}  // namespace tend
