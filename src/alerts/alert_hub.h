// SPDX-License-Identifier: Apache-2.0
// The alert pipeline's engine room. Any thread raises an alert (Raise() only queues); one worker
// thread with its own database connection applies the Policy, stores the alert, works out the
// recipients, tells the live listeners (the web UI's push, MQTT) and delivers webhooks with
// retries and backoff; after the last retry a delivery goes to the dead-letter list. Every
// webhook attempt is recorded.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "alerts/alert_store.h"
#include "alerts/policy.h"
#include "base/clock.h"
#include "base/result.h"
#include "crypto/crypto.h"
#include "store/database.h"

namespace camguard::alerts {

struct AlertHubOptions {
  std::filesystem::path database;
  const crypto::SecretKey* secrets_key = nullptr;  // opens webhook secrets (required)
  const base::Clock* clock = nullptr;              // required
  PolicyOptions policy;
  // Delay before each retry of a failed webhook; after the last one the delivery is dead.
  std::vector<std::chrono::milliseconds> retry_delays = {
      std::chrono::seconds(5), std::chrono::seconds(30), std::chrono::minutes(2),
      std::chrono::minutes(10), std::chrono::minutes(30)};
  std::chrono::milliseconds webhook_timeout{10'000};
  // Whether `user` may view `camera` (nullopt: whether the user sees every account's alerts,
  // i.e. is an owner or admin). Runs on the worker thread with the worker's connection.
  std::function<bool(store::Database&, std::int64_t user, std::optional<std::int64_t> camera)>
      may_view;
};

class AlertHub {
 public:
  static base::Result<std::unique_ptr<AlertHub>> Start(AlertHubOptions options);
  ~AlertHub();
  AlertHub(const AlertHub&) = delete;
  AlertHub& operator=(const AlertHub&) = delete;

  void Raise(RaisedAlert alert);  // thread-safe, never blocks on I/O
  // A new alert (not a repeat) and who should see it; called on the worker thread.
  using Listener = std::function<void(const StoredAlert&, const std::vector<std::int64_t>&)>;
  void AddListener(Listener listener);  // before alerts are raised
  void Stop();                          // finishes queued alerts; pending retries are dropped
  // Waits until everything raised so far has been stored and delivered once (tests, shutdown).
  void Flush();

 private:
  explicit AlertHub(AlertHubOptions options, store::Database db);
  struct Retry {
    std::chrono::steady_clock::time_point due;
    std::int64_t alert_id;
    std::int64_t webhook_id;
    int attempt;  // the attempt about to be made
  };
  void Run();
  void Process(const RaisedAlert& alert);
  void Deliver(const StoredAlert& alert, const Webhook& webhook, int attempt);
  std::string Payload(const StoredAlert& alert) const;

  AlertHubOptions options_;
  store::Database db_;  // worker thread only
  AlertStore store_;
  Policy policy_;
  std::vector<Listener> listeners_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  std::deque<RaisedAlert> queue_;
  std::vector<Retry> retries_;  // worker thread only
  bool busy_ = false;
  bool stopping_ = false;
  std::thread worker_;
};

}  // namespace camguard::alerts
