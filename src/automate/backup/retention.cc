#include "automate/backup/retention.h"

#include <time.h>

#include <algorithm>
#include <numeric>

#include "config/suggest.h"

namespace tend::automate::backup {
namespace {

enum class Period { kDay, kWeek, kMonth };

// A number that differs between periods and is equal within one.
int64_t PeriodKey(int64_t unix_seconds, Period p) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm;
  gmtime_r(&t, &tm);
  switch (p) {
    case Period::kDay:
      return (tm.tm_year + 1900) * 1000 + tm.tm_yday;
    case Period::kMonth:
      return (tm.tm_year + 1900) * 100 + tm.tm_mon;
    case Period::kWeek: {
      // ISO week-numbering year and week (%G, %V): the week belongs to the
      // year that holds its Thursday.
      char buf[16];
      strftime(buf, sizeof buf, "%G%V", &tm);
      return std::stoll(buf);
    }
  }
  return 0;
}

}  // namespace

Result<Retention> ParseRetention(const Value& v) {
  Retention r;
  if (v.is_null()) return r;
  if (!v.is_object()) {
    return InvalidArgumentError(
        "retention must be a mapping such as {daily: 7, weekly: 4, "
        "monthly: 6}; got " +
        v.dump());
  }
  static const std::vector<std::string> kKeys = {"daily", "weekly", "monthly"};
  for (auto it = v.begin(); it != v.end(); ++it) {
    const std::string& key = it.key();
    int* slot = key == "daily"     ? &r.daily
                : key == "weekly"  ? &r.weekly
                : key == "monthly" ? &r.monthly
                                   : nullptr;
    if (slot == nullptr) {
      std::string msg = "unknown retention key '" + key + "'";
      std::string near = SuggestClosest(key, kKeys);
      if (!near.empty()) msg += " (did you mean '" + near + "'?)";
      return InvalidArgumentError(msg + "; supported: daily, weekly, monthly");
    }
    const Value& n = *it;
    int64_t count = -1;
    if (n.is_number_integer()) {
      count = n.get<int64_t>();
    } else if (n.is_string()) {
      const std::string& s = n.get_ref<const std::string&>();
      if (!s.empty() && s.size() < 10 &&
          std::all_of(s.begin(), s.end(),
                      [](char c) { return c >= '0' && c <= '9'; })) {
        count = std::stoll(s);
      }
    }
    if (count < 0 || count > 100000) {
      return InvalidArgumentError("retention." + key +
                                  " must be a whole number from 0 to 100000; "
                                  "got " +
                                  n.dump());
    }
    *slot = static_cast<int>(count);
  }
  return r;
}

std::vector<bool> SelectKept(const std::vector<int64_t>& unix_seconds,
                             const Retention& r) {
  std::vector<bool> keep(unix_seconds.size(), false);
  std::vector<size_t> order(unix_seconds.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return unix_seconds[a] > unix_seconds[b];
  });
  for (auto [period, n] :
       {std::pair{Period::kDay, r.daily}, std::pair{Period::kWeek, r.weekly},
        std::pair{Period::kMonth, r.monthly}}) {
    int kept = 0;
    bool have_last = false;
    int64_t last = 0;
    for (size_t i : order) {
      if (kept >= n) break;
      int64_t key = PeriodKey(unix_seconds[i], period);
      if (have_last && key == last) continue;
      have_last = true;
      last = key;
      keep[i] = true;
      ++kept;
    }
  }
  return keep;
}

}  // namespace tend::automate::backup
