// SPDX-License-Identifier: Apache-2.0
// Growing delays after failed logins, counted per source address and per account.
#pragma once

#include <chrono>
#include <cstddef>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/clock.h"

namespace camguard::auth {

struct ThrottleParams {
  int free_failures = 5;
  base::Duration base_delay = std::chrono::seconds(1);
  base::Duration max_delay = std::chrono::minutes(15);
  base::Duration forget_after = std::chrono::hours(24);
  std::size_t max_tracked = 10000;
};

// After n failures (n > free_failures) the next attempt must wait
// base_delay * 2^(n - free_failures - 1), capped at max_delay, counted from the last failure.
// Failures older than forget_after no longer count. Accounts are compared ASCII
// case-insensitively; unknown accounts are tracked exactly like known ones, so the throttle
// does not reveal which accounts exist.
//
// Thread: one thread (the loop). Memory: at most max_tracked addresses and max_tracked
// accounts; when full, the entry with the oldest failure is evicted.
class LoginThrottle {
 public:
  LoginThrottle(const base::Clock& clock, ThrottleParams params);

  struct Decision {
    bool allowed = true;
    base::Duration retry_after{0};
  };

  // `trusted_holder`: the caller presents a valid session or trusted-device cookie for this
  // account. Such a caller is never blocked by the account counter (failures caused by
  // someone else must not lock the owner out), only by its own address counter.
  Decision Check(std::string_view address, std::string_view account, bool trusted_holder) const;
  void RecordFailure(std::string_view address, std::string_view account);
  // Resets both counters.
  void RecordSuccess(std::string_view address, std::string_view account);

 private:
  struct Entry {
    int failures = 0;
    base::WallTime last_failure;
  };
  // Keys in order of their last failure (oldest first) plus an index, so that eviction and
  // expiry both take the front of the list.
  class Counters {
   public:
    const Entry* Find(const std::string& key) const;
    void Fail(const std::string& key, base::WallTime now, const ThrottleParams& params);
    void Erase(const std::string& key);

   private:
    using Order = std::list<std::string>;
    struct Slot {
      Entry entry;
      Order::iterator position;
    };
    Order order_;
    std::unordered_map<std::string, Slot> index_;
  };

  base::Duration DelayAfter(const Entry& entry) const;
  // Time left before `entry` allows another attempt (zero when allowed).
  base::Duration Wait(const Entry* entry, base::WallTime now) const;

  const base::Clock& clock_;
  ThrottleParams params_;
  Counters addresses_;
  Counters accounts_;
};

}  // namespace camguard::auth
