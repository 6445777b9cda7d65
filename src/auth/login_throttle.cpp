// SPDX-License-Identifier: Apache-2.0
#include "auth/login_throttle.h"

#include <algorithm>

#include "base/strings.h"
#include "crypto/crypto.h"

namespace camguard::auth {
namespace {

// Keys come from the network (the account name is whatever the client typed). Long ones are
// replaced by their hash so that max_tracked also bounds the memory the keys take.
constexpr std::size_t kMaxKeyBytes = 128;
// Far beyond any delay cap; keeps the counter from overflowing under a long attack.
constexpr int kMaxCountedFailures = 1'000'000;

std::string Key(std::string_view text) {
  if (text.size() <= kMaxKeyBytes) return std::string(text);
  return "sha256:" + crypto::Sha256Hex(text);
}

bool Forgotten(base::WallTime last_failure, base::WallTime now, base::Duration forget_after) {
  // A clock that stepped backwards (now < last_failure) keeps the entry: forgetting failures
  // because of a clock change would hand an attacker a free reset.
  return now >= last_failure && now - last_failure >= forget_after;
}

}  // namespace

LoginThrottle::LoginThrottle(const base::Clock& clock, ThrottleParams params)
    : clock_(clock), params_(params) {
  params_.free_failures = std::max(params_.free_failures, 0);
  params_.max_tracked = std::max<std::size_t>(params_.max_tracked, 1);
}

const LoginThrottle::Entry* LoginThrottle::Counters::Find(const std::string& key) const {
  const auto it = index_.find(key);
  return it == index_.end() ? nullptr : &it->second.entry;
}

void LoginThrottle::Counters::Fail(const std::string& key, base::WallTime now,
                                   const ThrottleParams& params) {
  // Expired entries sit at the front (oldest failure first); drop them before counting.
  while (!order_.empty()) {
    const auto oldest = index_.find(order_.front());
    if (!Forgotten(oldest->second.entry.last_failure, now, params.forget_after)) break;
    index_.erase(oldest);
    order_.pop_front();
  }
  auto it = index_.find(key);
  if (it == index_.end()) {
    if (index_.size() >= params.max_tracked) {
      index_.erase(order_.front());
      order_.pop_front();
    }
    order_.push_back(key);
    it = index_.emplace(key, Slot{Entry{}, std::prev(order_.end())}).first;
  } else {
    order_.splice(order_.end(), order_, it->second.position);
  }
  Entry& entry = it->second.entry;
  entry.failures = std::min(entry.failures + 1, kMaxCountedFailures);
  entry.last_failure = now;
}

void LoginThrottle::Counters::Erase(const std::string& key) {
  const auto it = index_.find(key);
  if (it == index_.end()) return;
  order_.erase(it->second.position);
  index_.erase(it);
}

base::Duration LoginThrottle::DelayAfter(const Entry& entry) const {
  if (entry.failures <= params_.free_failures) return base::Duration{0};
  const int doublings = entry.failures - params_.free_failures - 1;
  base::Duration delay = params_.base_delay;
  for (int i = 0; i < doublings && delay > base::Duration{0} && delay < params_.max_delay; ++i) {
    delay *= 2;
  }
  return std::min(delay, params_.max_delay);
}

base::Duration LoginThrottle::Wait(const Entry* entry, base::WallTime now) const {
  if (entry == nullptr || Forgotten(entry->last_failure, now, params_.forget_after)) {
    return base::Duration{0};
  }
  const base::WallTime ready = entry->last_failure + DelayAfter(*entry);
  if (now >= ready) return base::Duration{0};
  // Rounded up: a client that waits exactly retry_after must then be allowed.
  return std::chrono::ceil<base::Duration>(ready - now);
}

LoginThrottle::Decision LoginThrottle::Check(std::string_view address, std::string_view account,
                                             bool trusted_holder) const {
  const base::WallTime now = clock_.Now();
  base::Duration wait = Wait(addresses_.Find(Key(address)), now);
  if (!trusted_holder)
    wait = std::max(wait, Wait(accounts_.Find(Key(base::ToLower(account))), now));
  Decision decision;
  decision.allowed = wait == base::Duration{0};
  decision.retry_after = wait;
  return decision;
}

void LoginThrottle::RecordFailure(std::string_view address, std::string_view account) {
  const base::WallTime now = clock_.Now();
  addresses_.Fail(Key(address), now, params_);
  accounts_.Fail(Key(base::ToLower(account)), now, params_);
}

void LoginThrottle::RecordSuccess(std::string_view address, std::string_view account) {
  addresses_.Erase(Key(address));
  accounts_.Erase(Key(base::ToLower(account)));
}

}  // namespace camguard::auth
