// SPDX-License-Identifier: Apache-2.0
#include "watch/integrity_watch.h"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cameras/camera_store.h"
#include "cameras/credentials.h"
#include "onvif/client.h"
#include "store/database.h"
#include "watch/curl_transport.h"

namespace camguard::watch {

using base::ErrorCode;
using base::Fail;
using Steady = std::chrono::steady_clock;

namespace {

constexpr auto kFirstReconnectDelay = std::chrono::seconds(2);
constexpr auto kMaxReconnectDelay = std::chrono::seconds(60);

bool IsTransportFailure(const base::Error& error) {
  return error.code == ErrorCode::kUnavailable || error.code == ErrorCode::kDeadlineExceeded;
}

cameras::PtzState ToState(const onvif::PtzStatus& status) {
  cameras::PtzState state;
  state.pan = status.pan;
  state.tilt = status.tilt;
  state.zoom = status.zoom;
  state.moving = status.pan_tilt_state == onvif::PtzStatus::MoveState::kMoving ||
                 status.zoom_state == onvif::PtzStatus::MoveState::kMoving;
  return state;
}

}  // namespace

// One watched camera. Everything but the thread control is guarded by `mutex`.
struct Watched {
  std::int64_t id = 0;
  std::string name;
  std::string onvif_url;
  std::string username;  // the camera account the hub signs in with
  bool watch = true;
  std::unique_ptr<CurlTransport> transport;
  std::unique_ptr<onvif::Client> client;
  std::string profile;
  MotionJudge judge;
  WatchStatus status;
  std::deque<Steady::time_point> recent_commands;
  Steady::time_point next_connect{};
  Steady::time_point next_config{};
  std::chrono::seconds reconnect_delay = kFirstReconnectDelay;
  std::mutex mutex;

  std::mutex wake_mutex;
  std::condition_variable wake;
  bool stopping = false;
  std::thread thread;
};

class IntegrityWatch::Impl {
 public:
  Impl(WatchOptions options, const base::Clock& clock, store::Database db)
      : options_(std::move(options)), clock_(clock), db_(std::move(db)) {}

  ~Impl() { Stop(); }

  base::Status Start() {
    std::vector<std::int64_t> ids;
    {
      std::lock_guard lock(db_mutex_);
      cameras::CameraStore store(db_);
      CAMGUARD_TRY(auto all, store.List());
      for (const cameras::Camera& camera : all) ids.push_back(camera.id);
    }
    {
      std::lock_guard lock(control_mutex_);
      started_ = true;
    }
    control_ = std::thread([this] { ControlLoop(); });
    for (std::int64_t id : ids) CameraChanged(id);
    return base::Ok();
  }

  void Stop() {
    {
      std::lock_guard lock(control_mutex_);
      if (!started_ || stopping_) return;
      stopping_ = true;
    }
    control_wake_.notify_all();
    if (control_.joinable()) control_.join();
    std::map<std::int64_t, std::shared_ptr<Watched>> all;
    {
      std::lock_guard lock(registry_mutex_);
      all.swap(cameras_);
    }
    for (auto& [id, camera] : all) Retire(camera);
  }

  void CameraChanged(std::int64_t camera_id) { Enqueue(camera_id, false); }
  void CameraRemoved(std::int64_t camera_id) { Enqueue(camera_id, true); }

  base::Result<cameras::PtzState> Command(std::int64_t camera_id,
                                          const cameras::PtzRequest& request) {
    CAMGUARD_TRY_STATUS(cameras::ValidatePtzRequest(request));
    CAMGUARD_TRY(auto camera, Find(camera_id));
    std::lock_guard lock(camera->mutex);
    const auto now = Steady::now();
    while (!camera->recent_commands.empty() &&
           now - camera->recent_commands.front() > std::chrono::seconds(1)) {
      camera->recent_commands.pop_front();
    }
    if (static_cast<int>(camera->recent_commands.size()) >= options_.max_commands_per_second) {
      return Fail(ErrorCode::kResourceExhausted, "too many PTZ commands; slow down");
    }
    camera->recent_commands.push_back(now);
    CAMGUARD_TRY_STATUS(EnsurePtz(*camera));
    // Before the command goes on the wire: the movement it causes is ours.
    camera->judge.HubCommand(clock_.Now());
    onvif::Client& client = *camera->client;
    const std::string& profile = camera->profile;
    std::optional<std::string> new_token;
    base::Status sent = base::Ok();
    switch (request.action) {
      case cameras::PtzAction::kContinuousMove:
        sent = client.ContinuousMove(profile, request.pan, request.tilt, request.zoom,
                                     request.timeout);
        break;
      case cameras::PtzAction::kAbsoluteMove:
        sent = client.AbsoluteMove(profile, request.pan, request.tilt, request.zoom);
        break;
      case cameras::PtzAction::kRelativeMove:
        sent = client.RelativeMove(profile, request.pan, request.tilt, request.zoom);
        break;
      case cameras::PtzAction::kStop: sent = client.Stop(profile); break;
      case cameras::PtzAction::kGotoPreset:
        sent = client.GotoPreset(profile, request.preset_token);
        break;
      case cameras::PtzAction::kRemovePreset:
        sent = client.RemovePreset(profile, request.preset_token);
        break;
      case cameras::PtzAction::kSetPreset: {
        auto token = client.SetPreset(profile, request.preset_name);
        if (token) {
          new_token = *token;
        } else {
          sent = tl::unexpected(token.error());
        }
        break;
      }
    }
    if (!sent) {
      NoteFailure(*camera, sent.error());
      return tl::unexpected(sent.error());
    }
    if (options_.on_hub_move && request.action != cameras::PtzAction::kSetPreset &&
        request.action != cameras::PtzAction::kRemovePreset) {
      options_.on_hub_move(camera_id);
    }
    CAMGUARD_TRY(auto state, ReadState(*camera));
    state.new_preset_token = std::move(new_token);
    return state;
  }

  base::Result<cameras::PtzState> State(std::int64_t camera_id) {
    CAMGUARD_TRY(auto camera, Find(camera_id));
    std::lock_guard lock(camera->mutex);
    CAMGUARD_TRY_STATUS(EnsurePtz(*camera));
    return ReadState(*camera);
  }

  base::Result<cameras::OnvifDiscovery> Probe(const std::string& onvif_url,
                                              const std::string& username,
                                              const base::Redacted<std::string>& password) {
    CurlTransport transport(username, password, options_.request_timeout);
    onvif::Client client(onvif_url, username, password, transport.AsTransport(), clock_);
    CAMGUARD_TRY_STATUS(client.Connect());
    cameras::OnvifDiscovery found;
    if (auto device = client.GetDeviceInformation()) {
      found.manufacturer = device->manufacturer;
      found.model = device->model;
      found.firmware = device->firmware_version;
    }
    CAMGUARD_TRY(auto profiles, client.GetProfiles());
    // The first profile is the camera's main stream by convention; the sub-stream for browsers
    // is the smallest other H.264 one.
    const onvif::Profile* main = nullptr;
    const onvif::Profile* sub = nullptr;
    for (const onvif::Profile& profile : profiles) {
      found.has_ptz = found.has_ptz || profile.has_ptz;
      if (main == nullptr) {
        main = &profile;
      } else if (profile.encoding == "H264" &&
                 (sub == nullptr || profile.width * profile.height < sub->width * sub->height)) {
        sub = &profile;
      }
    }
    if (main == nullptr)
      return Fail(ErrorCode::kFailedPrecondition, "the camera has no media profile");
    CAMGUARD_TRY(found.main_url, client.GetStreamUri(main->token));
    if (sub != nullptr) {
      if (auto uri = client.GetStreamUri(sub->token)) found.sub_url = *uri;
    }
    // Cameras put credentials in stream URIs at times; they are never stored that way.
    for (std::string* uri : {&found.main_url, found.sub_url ? &*found.sub_url : nullptr}) {
      if (uri == nullptr) continue;
      const std::size_t scheme = uri->find("://");
      const std::size_t at = uri->find('@');
      const std::size_t slash =
          scheme == std::string::npos ? std::string::npos : uri->find('/', scheme + 3);
      if (scheme != std::string::npos && at != std::string::npos &&
          (slash == std::string::npos || at < slash)) {
        uri->erase(scheme + 3, at - scheme - 2);
      }
    }
    return found;
  }

  base::Result<std::vector<cameras::CameraAccountInfo>> Accounts(std::int64_t camera_id) {
    CAMGUARD_TRY(auto camera, Find(camera_id));
    std::lock_guard lock(camera->mutex);
    CAMGUARD_TRY_STATUS(EnsureConnected(*camera));
    CAMGUARD_TRY(auto users, camera->client->GetUsers());
    std::vector<cameras::CameraAccountInfo> accounts;
    for (const onvif::User& user : users) {
      accounts.push_back({user.username, std::string(onvif::ToString(user.level)),
                          user.username == camera->username});
    }
    return accounts;
  }

  base::Status RotatePassword(std::int64_t camera_id, const base::Redacted<std::string>& password) {
    CAMGUARD_TRY(auto camera, Find(camera_id));
    std::lock_guard lock(camera->mutex);
    CAMGUARD_TRY_STATUS(EnsureConnected(*camera));
    CAMGUARD_TRY(auto users, camera->client->GetUsers());
    const auto self = std::find_if(users.begin(), users.end(), [&](const onvif::User& user) {
      return user.username == camera->username;
    });
    if (self == users.end()) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "the hub's account is not among the camera's users");
    }
    // Same level as before: the hub keeps exactly the rights it had.
    return camera->client->SetUserPassword(camera->username, password, self->level);
  }

  base::Status RemoveAccount(std::int64_t camera_id, const std::string& username) {
    CAMGUARD_TRY(auto camera, Find(camera_id));
    std::lock_guard lock(camera->mutex);
    if (username == camera->username) {
      return Fail(ErrorCode::kInvalidArgument, "the hub's own account cannot be removed");
    }
    CAMGUARD_TRY_STATUS(EnsureConnected(*camera));
    CAMGUARD_TRY_STATUS(camera->client->DeleteUser(username));
    // The hub made this change: it is the accepted configuration from now on.
    CheckConfiguration(*camera, /*report=*/false);
    return base::Ok();
  }

  std::optional<WatchStatus> Status(std::int64_t camera_id) const {
    std::shared_ptr<Watched> camera;
    {
      std::lock_guard lock(registry_mutex_);
      auto it = cameras_.find(camera_id);
      if (it == cameras_.end()) return std::nullopt;
      camera = it->second;
    }
    std::lock_guard lock(camera->mutex);
    return camera->status;
  }

 private:
  struct Change {
    std::int64_t camera_id;
    bool removed;
  };

  void Enqueue(std::int64_t camera_id, bool removed) {
    {
      std::lock_guard lock(control_mutex_);
      changes_.push_back({camera_id, removed});
    }
    control_wake_.notify_all();
  }

  // Applies camera changes off the caller's thread: loading from the store and joining a
  // poller that is in the middle of a request may take a moment.
  void ControlLoop() {
    while (true) {
      Change change{};
      {
        std::unique_lock lock(control_mutex_);
        control_wake_.wait(lock, [this] { return stopping_ || !changes_.empty(); });
        if (stopping_) return;
        change = changes_.front();
        changes_.pop_front();
      }
      std::shared_ptr<Watched> old;
      {
        std::lock_guard lock(registry_mutex_);
        if (auto it = cameras_.find(change.camera_id); it != cameras_.end()) {
          old = it->second;
          cameras_.erase(it);
        }
      }
      // The judge's memory survives a settings change (a rename must not forget where the
      // camera pointed).
      std::optional<MotionJudge> judge;
      if (old) {
        {
          std::lock_guard lock(old->mutex);
          judge = old->judge;
        }
        Retire(old);
      }
      if (change.removed) continue;
      auto camera = Load(change.camera_id);
      if (!camera) continue;
      if (judge) camera->judge = *judge;
      Watched* raw = camera.get();
      {
        std::lock_guard lock(registry_mutex_);
        cameras_[change.camera_id] = camera;
      }
      raw->thread = std::thread([this, raw] { PollLoop(*raw); });
    }
  }

  std::shared_ptr<Watched> Load(std::int64_t camera_id) {
    std::lock_guard lock(db_mutex_);
    cameras::CameraStore store(db_);
    auto camera = store.FindById(camera_id);
    if (!camera || !*camera || !(**camera).onvif_url) return nullptr;
    auto watched = std::make_shared<Watched>();
    watched->id = camera_id;
    watched->name = (**camera).name;
    watched->onvif_url = *(**camera).onvif_url;
    watched->watch = (**camera).integrity_watch;
    watched->judge = MotionJudge(options_.judge);
    std::string username;
    base::Redacted<std::string> password;
    auto sealed = store.SealedCredentials(camera_id);
    if (sealed && *sealed) {
      auto credentials = cameras::OpenCredentials(*options_.secrets_key, **sealed);
      if (!credentials) {
        watched->status.last_error = "the stored camera credentials cannot be opened";
      } else {
        username = credentials->username;
        password = credentials->password;
        watched->username = username;
      }
    }
    watched->transport =
        std::make_unique<CurlTransport>(username, password, options_.request_timeout);
    watched->client = std::make_unique<onvif::Client>(watched->onvif_url, username, password,
                                                      watched->transport->AsTransport(), clock_);
    return watched;
  }

  void Retire(const std::shared_ptr<Watched>& camera) {
    {
      std::lock_guard lock(camera->wake_mutex);
      camera->stopping = true;
    }
    camera->wake.notify_all();
    if (camera->thread.joinable()) camera->thread.join();
  }

  base::Result<std::shared_ptr<Watched>> Find(std::int64_t camera_id) {
    std::lock_guard lock(registry_mutex_);
    auto it = cameras_.find(camera_id);
    if (it == cameras_.end()) {
      return Fail(ErrorCode::kFailedPrecondition,
                  "PTZ needs the camera's ONVIF address (set onvif_url)");
    }
    return it->second;
  }

  void NoteFailure(Watched& camera, const base::Error& error) {
    camera.status.last_error = error.message;
    if (IsTransportFailure(error) || error.code == ErrorCode::kPermissionDenied) {
      camera.status.connected = false;
      camera.next_connect = Steady::now() + camera.reconnect_delay;
      camera.reconnect_delay =
          std::min(camera.reconnect_delay * 2, std::chrono::seconds(kMaxReconnectDelay));
    }
  }

  // Connects when needed. Caller holds camera.mutex.
  base::Status EnsureConnected(Watched& camera) {
    if (camera.status.connected) return base::Ok();
    auto connected = camera.client->Connect();
    if (!connected) {
      NoteFailure(camera, connected.error());
      return connected;
    }
    auto profiles = camera.client->GetProfiles();
    if (!profiles) {
      NoteFailure(camera, profiles.error());
      return tl::unexpected(profiles.error());
    }
    camera.profile.clear();
    for (const onvif::Profile& profile : *profiles) {
      if (profile.has_ptz) {
        camera.profile = profile.token;
        break;
      }
    }
    camera.status.has_ptz = !camera.profile.empty();
    camera.status.presets.clear();
    if (camera.status.has_ptz) {
      if (auto presets = camera.client->GetPresets(camera.profile)) {
        for (const onvif::Preset& preset : *presets) {
          camera.status.presets.push_back({preset.token, preset.name});
        }
      }
    }
    camera.status.connected = true;
    camera.status.last_error.clear();
    camera.reconnect_delay = kFirstReconnectDelay;
    spdlog::info("camera {}: ONVIF connected ({})", camera.id,
                 camera.status.has_ptz ? "PTZ profile " + camera.profile : "no PTZ");
    return base::Ok();
  }

  base::Status EnsurePtz(Watched& camera) {
    CAMGUARD_TRY_STATUS(EnsureConnected(camera));
    if (!camera.status.has_ptz) {
      return Fail(ErrorCode::kFailedPrecondition, "the camera offers no PTZ over ONVIF");
    }
    return base::Ok();
  }

  base::Result<cameras::PtzState> ReadState(Watched& camera) {
    auto status = camera.client->GetPtzStatus(camera.profile);
    if (!status) {
      NoteFailure(camera, status.error());
      return tl::unexpected(status.error());
    }
    cameras::PtzState state = ToState(*status);
    if (auto presets = camera.client->GetPresets(camera.profile)) {
      for (const onvif::Preset& preset : *presets)
        state.presets.push_back({preset.token, preset.name});
      camera.status.presets = state.presets;
    }
    return state;
  }

  void Emit(WatchEvent event) {
    if (options_.on_event) options_.on_event(event);
  }

  void PollLoop(Watched& camera) {
    while (true) {
      {
        std::lock_guard lock(camera.mutex);
        const auto now = Steady::now();
        if (!camera.status.connected && now >= camera.next_connect) (void)EnsureConnected(camera);
        if (camera.status.connected && camera.watch && camera.status.has_ptz) PollPtz(camera);
        if (camera.status.connected && camera.watch && Steady::now() >= camera.next_config) {
          CheckConfiguration(camera);
          camera.next_config = Steady::now() + options_.config_interval;
        }
      }
      std::unique_lock lock(camera.wake_mutex);
      if (camera.wake.wait_for(lock, options_.poll_interval, [&] { return camera.stopping; }))
        return;
    }
  }

  void PollPtz(Watched& camera) {
    auto status = camera.client->GetPtzStatus(camera.profile);
    if (!status) {
      NoteFailure(camera, status.error());
      return;
    }
    const cameras::PtzState state = ToState(*status);
    const PtzSample sample{clock_.Now(), state.pan, state.tilt, state.zoom, state.moving};
    camera.status.last_sample = sample;
    ++camera.status.polls;
    auto verdict = camera.judge.Observe(sample);
    if (!verdict) return;
    WatchEvent event;
    event.kind = verdict->event == MotionEvent::kOutsideMoveStarted
                     ? WatchEvent::Kind::kMovedFromOutside
                     : WatchEvent::Kind::kOutsideMoveEnded;
    event.camera_id = camera.id;
    event.camera_name = camera.name;
    event.at = sample.at;
    event.before = verdict->before;
    event.after = verdict->current;
    event.critical = event.kind == WatchEvent::Kind::kMovedFromOutside;
    Emit(std::move(event));
  }

  // Compares the camera's configuration with the accepted baseline; `report` false accepts the
  // current configuration without an event (after a change the hub itself made).
  void CheckConfiguration(Watched& camera, bool report = true) {
    onvif::Client& client = *camera.client;
    CameraConfiguration configuration;
    std::vector<std::string> missing;  // groups the camera did not answer this time
    if (auto users = client.GetUsers()) {
      configuration.users = std::move(*users);
    } else {
      missing.push_back("user/");
    }
    if (auto interfaces = client.GetNetworkInterfaces()) {
      configuration.interfaces = std::move(*interfaces);
    } else {
      missing.push_back("interface/");
    }
    if (auto dns = client.GetDns()) {
      configuration.dns = std::move(*dns);
    } else {
      missing.push_back("dns/");
    }
    if (auto ntp = client.GetNtp()) {
      configuration.ntp = std::move(*ntp);
    } else {
      missing.push_back("ntp/");
    }
    if (auto device = client.GetDeviceInformation()) {
      configuration.device = std::move(*device);
    } else {
      missing.push_back("device/");
    }
    if (missing.size() == 5) return;  // nothing answered: no news, not a change
    ConfigSnapshot snapshot = SnapshotOf(configuration);

    std::lock_guard lock(db_mutex_);
    auto baseline = ReadBaseline(camera.id);
    if (!baseline) {
      spdlog::warn("camera {}: configuration baseline: {}", camera.id, baseline.error().message);
      return;
    }
    if (*baseline && report) {
      // What the camera did not answer this time is carried over, not reported as removed.
      for (const auto& [key, value] : **baseline) {
        for (const std::string& prefix : missing) {
          if (key.rfind(prefix, 0) == 0) snapshot[key] = value;
        }
      }
      std::vector<ConfigChange> changes = Diff(**baseline, snapshot);
      if (changes.empty()) return;
      WatchEvent event;
      event.kind = WatchEvent::Kind::kConfigurationChanged;
      event.camera_id = camera.id;
      event.camera_name = camera.name;
      event.at = clock_.Now();
      event.critical = std::any_of(changes.begin(), changes.end(),
                                   [](const ConfigChange& c) { return c.critical; });
      event.changes = std::move(changes);
      Emit(std::move(event));
    }
    (void)WriteBaseline(camera.id, snapshot);
  }

  base::Result<std::optional<ConfigSnapshot>> ReadBaseline(std::int64_t camera_id) {
    CAMGUARD_TRY(auto stmt,
                 db_.Prepare("SELECT snapshot FROM camera_config_baselines WHERE camera_id = ?"));
    stmt.Bind(1, camera_id);
    CAMGUARD_TRY(const bool row, stmt.Step());
    if (!row) return std::optional<ConfigSnapshot>();
    CAMGUARD_TRY(auto snapshot, ParseSnapshot(stmt.ColumnText(0)));
    return std::optional<ConfigSnapshot>(std::move(snapshot));
  }

  base::Status WriteBaseline(std::int64_t camera_id, const ConfigSnapshot& snapshot) {
    CAMGUARD_TRY(auto stmt,
                 db_.Prepare("INSERT INTO camera_config_baselines (camera_id, taken_ms, snapshot) "
                             "VALUES (?, ?, ?) ON CONFLICT (camera_id) DO UPDATE SET "
                             "taken_ms = excluded.taken_ms, snapshot = excluded.snapshot"));
    stmt.Bind(1, camera_id).Bind(2, base::ToUnixMillis(clock_.Now())).Bind(3, Serialize(snapshot));
    return stmt.Run();
  }

  WatchOptions options_;
  const base::Clock& clock_;

  std::mutex db_mutex_;
  store::Database db_;

  mutable std::mutex registry_mutex_;
  std::map<std::int64_t, std::shared_ptr<Watched>> cameras_;

  std::mutex control_mutex_;
  std::condition_variable control_wake_;
  std::deque<Change> changes_;
  bool started_ = false;
  bool stopping_ = false;
  std::thread control_;
};

IntegrityWatch::IntegrityWatch(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
IntegrityWatch::~IntegrityWatch() = default;

base::Result<std::unique_ptr<IntegrityWatch>> IntegrityWatch::Create(WatchOptions options,
                                                                     const base::Clock& clock) {
  if (options.secrets_key == nullptr) {
    return Fail(ErrorCode::kInvalidArgument, "the integrity watch needs the secrets key");
  }
  if (options.poll_interval < std::chrono::milliseconds(100)) {
    return Fail(ErrorCode::kInvalidArgument, "poll interval below 100 ms");
  }
  CAMGUARD_TRY(auto db, store::Database::Open(options.database));
  auto impl = std::make_unique<Impl>(std::move(options), clock, std::move(db));
  return std::unique_ptr<IntegrityWatch>(new IntegrityWatch(std::move(impl)));
}

base::Status IntegrityWatch::Start() { return impl_->Start(); }
void IntegrityWatch::Stop() { impl_->Stop(); }
base::Result<cameras::PtzState> IntegrityWatch::Command(std::int64_t camera_id,
                                                        const cameras::PtzRequest& request) {
  return impl_->Command(camera_id, request);
}
base::Result<cameras::PtzState> IntegrityWatch::State(std::int64_t camera_id) {
  return impl_->State(camera_id);
}
void IntegrityWatch::CameraChanged(std::int64_t camera_id) { impl_->CameraChanged(camera_id); }
void IntegrityWatch::CameraRemoved(std::int64_t camera_id) { impl_->CameraRemoved(camera_id); }
base::Result<cameras::OnvifDiscovery> IntegrityWatch::Probe(
    const std::string& onvif_url, const std::string& username,
    const base::Redacted<std::string>& password) {
  return impl_->Probe(onvif_url, username, password);
}
base::Result<std::vector<cameras::CameraAccountInfo>> IntegrityWatch::Accounts(
    std::int64_t camera_id) {
  return impl_->Accounts(camera_id);
}
base::Status IntegrityWatch::RotatePassword(std::int64_t camera_id,
                                            const base::Redacted<std::string>& new_password) {
  return impl_->RotatePassword(camera_id, new_password);
}
base::Status IntegrityWatch::RemoveAccount(std::int64_t camera_id, const std::string& username) {
  return impl_->RemoveAccount(camera_id, username);
}
std::optional<WatchStatus> IntegrityWatch::Status(std::int64_t camera_id) const {
  return impl_->Status(camera_id);
}

}  // namespace camguard::watch
