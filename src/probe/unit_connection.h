// A probe's own UnitClient, connected on first use and again after the bus
// went away. Thread-safe (calls are serialised: a UnitClient is not).
#ifndef TEND_PROBE_UNIT_CONNECTION_H_
#define TEND_PROBE_UNIT_CONNECTION_H_

#include <functional>
#include <memory>
#include <string>

#include "base/status.h"
#include "base/thread_annotations.h"
#include "systemd/unit_client.h"

namespace tend {

class UnitConnection {
 public:
  using Factory = std::function<Result<std::unique_ptr<UnitClient>>()>;
  explicit UnitConnection(Factory factory) : factory_(std::move(factory)) {}

  // The unit's status. Without a factory: kUnavailable saying no bus is
  // configured. A kUnavailable answer drops the connection so the next
  // call reconnects.
  Result<UnitStatus> Status(const std::string& unit) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    if (!factory_) {
      return UnavailableError("systemd unit " + unit +
                              ": no D-Bus connection is configured");
    }
    if (client_ == nullptr) {
      Result<std::unique_ptr<UnitClient>> made = factory_();
      if (!made.ok()) return made.status();
      client_ = std::move(*made);
    }
    Result<UnitStatus> st = client_->Status(unit);
    if (!st.ok() && st.status().code() == StatusCode::kUnavailable) {
      client_.reset();
    }
    return st;
  }

 private:
  const Factory factory_;
  Mutex mu_;
  std::unique_ptr<UnitClient> client_ GUARDED_BY(mu_);
};

}  // namespace tend

#endif  // TEND_PROBE_UNIT_CONNECTION_H_
