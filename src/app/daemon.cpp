// SPDX-License-Identifier: Apache-2.0
#include "app/daemon.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "alerts/alert_hub.h"
#include "api/api.h"
#include "app/data_dir.h"
#include "app/home_assistant_link.h"
#include "audit/audit_log.h"
#include "auth/account_store.h"
#include "auth/authorization.h"
#include "auth/login_throttle.h"
#include "auth/password_hasher.h"
#include "auth/setup_token.h"
#include "base/clock.h"
#include "base/files.h"
#include "base/strings.h"
#include "cameras/camera_store.h"
#include "cameras/credentials.h"
#include "config/config.h"
#include "crypto/certificate.h"
#include "crypto/crypto.h"
#include "engine/engine.h"
#include "mqtt/bridge.h"
#include "net/server.h"
#include "store/database.h"
#include "store/migrations.h"
#include "watch/integrity_watch.h"
#include "web/frontend.h"

namespace camguard::app {

namespace {

constexpr const char* kVersion = CAMGUARD_VERSION;

// Console lines people (and the tests) read; stdout, flushed at once.
template <typename... Args>
void Say(fmt::format_string<Args...> format, Args&&... args) {
  fmt::print("camguard: {}\n", fmt::format(format, std::forward<Args>(args)...));
  std::fflush(stdout);
}

int Fatal(std::string_view what, const base::Error& error) {
  spdlog::critical("{}: {}", what, error.message);
  fmt::print(stderr, "camguard: {}: {}\n", what, error.message);
  return 1;
}

// %j: the message as the inside of a JSON string (quotes, backslashes and control characters
// escaped), so that every json-format log line parses whatever a message contains.
class JsonEscapedMessage final : public spdlog::custom_flag_formatter {
 public:
  void format(const spdlog::details::log_msg& msg, const std::tm&,
              spdlog::memory_buf_t& dest) override {
    for (const char c : std::string_view(msg.payload.data(), msg.payload.size())) {
      switch (c) {
        case '"': dest.append(std::string_view("\\\"")); break;
        case '\\': dest.append(std::string_view("\\\\")); break;
        case '\n': dest.append(std::string_view("\\n")); break;
        case '\t': dest.append(std::string_view("\\t")); break;
        default:
          if (static_cast<unsigned char>(c) < 0x20) {
            const std::string escaped = fmt::format("\\u{:04x}", static_cast<unsigned>(c));
            dest.append(escaped.data(), escaped.data() + escaped.size());
          } else {
            dest.push_back(c);
          }
      }
    }
  }
  std::unique_ptr<custom_flag_formatter> clone() const override {
    return std::make_unique<JsonEscapedMessage>();
  }
};

void ConfigureLogging(const config::Config& config) {
  auto logger = spdlog::stderr_color_mt("camguard");
  if (config.log_format == "json") {
    auto formatter = std::make_unique<spdlog::pattern_formatter>(spdlog::pattern_time_type::utc);
    formatter->add_flag<JsonEscapedMessage>('j').set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","message":"%j"})");
    logger->set_formatter(std::move(formatter));
  } else {
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %^%l%$ %v", spdlog::pattern_time_type::utc);
  }
  logger->set_level(spdlog::level::from_str(config.log_level));
  spdlog::set_default_logger(logger);
}

std::string HostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0) return {};
  return name;
}

bool IsIpLiteral(std::string_view host) {
  if (host.find(':') != std::string_view::npos) return true;
  return !host.empty() && host.find_first_not_of("0123456789.") == std::string_view::npos;
}

struct TlsMaterial {
  std::string certificate_pem;
  std::string private_key_pem;
};

base::Result<TlsMaterial> LoadOrCreateTls(const DataDir& dir, const config::Config& config) {
  TlsMaterial tls;
  if (config.tls_certificate && config.tls_private_key) {
    CAMGUARD_TRY(tls.certificate_pem, base::ReadFile(*config.tls_certificate, 1 << 20));
    CAMGUARD_TRY(tls.private_key_pem, base::ReadFile(*config.tls_private_key, 1 << 20));
    CAMGUARD_TRY_STATUS(
        crypto::CheckKeyMatchesCertificate(tls.certificate_pem, tls.private_key_pem));
    return tls;
  }
  if (std::filesystem::exists(dir.certificate()) && std::filesystem::exists(dir.private_key())) {
    CAMGUARD_TRY(tls.certificate_pem, base::ReadFile(dir.certificate(), 1 << 20));
    CAMGUARD_TRY(tls.private_key_pem, base::ReadFile(dir.private_key(), 1 << 20));
    CAMGUARD_TRY_STATUS(
        crypto::CheckKeyMatchesCertificate(tls.certificate_pem, tls.private_key_pem));
    return tls;
  }
  std::vector<std::string> dns_names = {"localhost"};
  const std::string host = HostName();
  if (!host.empty() && host != "localhost") dns_names.push_back(host);
  for (const auto& name : config.server_names) dns_names.push_back(name);
  std::vector<std::string> ips = {"127.0.0.1", "::1"};
  if (IsIpLiteral(config.listen_host) && config.listen_host != "0.0.0.0" &&
      config.listen_host != "::" && config.listen_host != "127.0.0.1" &&
      config.listen_host != "::1") {
    ips.push_back(config.listen_host);
  }
  CAMGUARD_TRY(auto generated, crypto::GenerateSelfSignedCertificate(dns_names, ips));
  CAMGUARD_TRY_STATUS(base::EnsurePrivateDirectory(dir.tls()));
  CAMGUARD_TRY_STATUS(base::WritePrivateFile(dir.private_key(), generated.private_key_pem));
  CAMGUARD_TRY_STATUS(base::WritePrivateFile(dir.certificate(), generated.certificate_pem));
  spdlog::info("generated a self-signed TLS certificate for {}", fmt::join(dns_names, ", "));
  tls.certificate_pem = std::move(generated.certificate_pem);
  tls.private_key_pem = std::move(generated.private_key_pem);
  return tls;
}

base::Result<config::Config> LoadConfig(const ServeOptions& options) {
  config::Config config;
  if (options.config_file) {
    CAMGUARD_TRY(config, config::LoadConfigFile(*options.config_file));
  }
  if (options.listen) CAMGUARD_TRY_STATUS(config::ApplyListenFlag(config, *options.listen));
  return config;
}

// Demo only: registers the cameras camsim announced (one JSON line each) unless a camera with the
// same stream URL exists. Returns how many were added, or -1 (and says why) on bad input.
int RegisterDemoCameras(store::Database& db, const crypto::SecretKey& secrets_key,
                        const std::filesystem::path& lines_file, const base::Clock& clock) {
  auto text = base::ReadFile(lines_file, 1 << 20);
  if (!text) {
    fmt::print(stderr, "camguard: demo: cannot read {}: {}\n", lines_file.string(),
               text.error().message);
    return -1;
  }
  cameras::CameraStore store(db);
  auto existing = store.List();
  if (!existing) return -1;
  int added = 0;
  for (std::string_view line : base::Split(*text, '\n')) {
    if (base::Trim(line).empty()) continue;
    const auto camera = nlohmann::json::parse(line, nullptr, false);
    if (!camera.is_object() || !camera.contains("rtsp_main") || !camera["rtsp_main"].is_string())
      continue;
    const std::string main_url = camera["rtsp_main"];
    if (std::any_of(existing->begin(), existing->end(),
                    [&](const cameras::Camera& c) { return c.main_url == main_url; }))
      continue;
    cameras::NewCamera fresh;
    fresh.name = fmt::format("Simulated camera {}", camera.value("camera", added + 1));
    fresh.main_url = main_url;
    if (camera.contains("rtsp_sub") && camera["rtsp_sub"].is_string())
      fresh.sub_url = camera["rtsp_sub"].get<std::string>();
    if (!cameras::ValidateStreamUrl(fresh.main_url)) continue;
    auto sealed = cameras::SealCredentials(
        secrets_key, cameras::CameraCredentials{
                         camera.value("username", std::string()),
                         base::Redacted<std::string>(camera.value("password", std::string()))});
    if (!sealed) continue;
    fresh.credentials_sealed = *sealed;
    if (store.Create(fresh, base::ToUnixMillis(clock.Now()))) ++added;
  }
  return added;
}

// Hands MQTT command messages from the bridge's thread to the loop once it runs.
class CommandRelay {
 public:
  using Sink = std::function<void(std::string, std::string)>;
  void Connect(Sink sink) {
    std::lock_guard lock(mutex_);
    sink_ = std::move(sink);
  }
  void Deliver(const std::string& topic, const std::string& payload) {
    std::lock_guard lock(mutex_);
    if (sink_) sink_(topic, payload);
  }

 private:
  std::mutex mutex_;
  Sink sink_;
};

nlohmann::json PositionJson(const watch::PtzSample& sample) {
  return {{"pan", sample.pan},
          {"tilt", sample.tilt},
          {"zoom", sample.zoom},
          {"moving", sample.moving},
          {"at", base::FormatRfc3339(sample.at)}};
}

// Turns what image tamper detection saw into an alert (the end of a cover is information).
void RaiseTamperAlert(alerts::AlertHub* hub, std::int64_t camera_id, const std::string& name,
                      const tamper::TamperEvent& event) {
  if (hub == nullptr) return;
  std::string what;
  switch (event.kind) {
    case tamper::TamperKind::kViewMoved: what = "its view changed (moved or turned away)"; break;
    case tamper::TamperKind::kCovered:
      what = event.raised ? "the lens was covered or blacked out" : "the lens is clear again";
      break;
    case tamper::TamperKind::kDefocused:
      what = event.raised ? "the picture went out of focus" : "the picture is sharp again";
      break;
  }
  const nlohmann::json details = {{"kind", tamper::ToString(event.kind)},
                                  {"raised", event.raised},
                                  {"since", base::FormatRfc3339(event.since)},
                                  {"at", base::FormatRfc3339(event.at)},
                                  {"pictures", event.pictures},
                                  {"score", event.score},
                                  {"before", event.before},
                                  {"after", event.after}};
  hub->Raise(alerts::RaisedAlert{
      alerts::Kind::kTamper,
      event.raised ? alerts::DefaultSeverity(alerts::Kind::kTamper) : alerts::Severity::kInfo,
      camera_id, fmt::format("{}: {}", name.empty() ? "A camera" : name, what), details.dump(),
      fmt::format("tamper:{}:{}:{}", camera_id, tamper::ToString(event.kind), event.raised ? 1 : 0),
      std::nullopt});
}

// Turns what the integrity watch saw into an alert.
void RaiseWatchAlert(alerts::AlertHub* hub, const watch::WatchEvent& event) {
  if (hub == nullptr) return;
  if (event.kind == watch::WatchEvent::Kind::kMovedFromOutside) {
    nlohmann::json details = {{"before", PositionJson(*event.before)},
                              {"after", PositionJson(*event.after)}};
    hub->Raise(alerts::RaisedAlert{
        alerts::Kind::kCameraMovedFromOutside, alerts::Severity::kCritical, event.camera_id,
        fmt::format("{} was moved from outside camguard", event.camera_name), details.dump(), "",
        std::nullopt});
    spdlog::warn(
        "camera {}: moved from outside camguard (pan {:.3f} -> {:.3f}, tilt {:.3f} -> {:.3f})",
        event.camera_id, event.before->pan, event.after->pan, event.before->tilt,
        event.after->tilt);
    return;
  }
  if (event.kind == watch::WatchEvent::Kind::kOutsideMoveEnded) {
    spdlog::info("camera {}: the outside move ended at pan {:.3f} tilt {:.3f} zoom {:.3f}",
                 event.camera_id, event.after->pan, event.after->tilt, event.after->zoom);
    return;
  }
  nlohmann::json changes = nlohmann::json::array();
  std::string fingerprint;
  for (const auto& change : event.changes) {
    changes.push_back({{"key", change.key},
                       {"before", change.before ? nlohmann::json(*change.before) : nullptr},
                       {"after", change.after ? nlohmann::json(*change.after) : nullptr},
                       {"critical", change.critical},
                       {"description", change.description}});
    fingerprint += change.description + "\n";
  }
  const std::string first = event.changes.empty() ? "" : event.changes.front().description;
  const std::string more =
      event.changes.size() > 1 ? fmt::format(" and {} more", event.changes.size() - 1) : "";
  hub->Raise(alerts::RaisedAlert{
      alerts::Kind::kConfigurationDrift,
      event.critical ? alerts::Severity::kCritical : alerts::Severity::kWarning, event.camera_id,
      fmt::format("{}: configuration changed outside camguard: {}{}", event.camera_name, first,
                  more),
      nlohmann::json{{"changes", changes}}.dump(),
      // Different changes are different alerts; the same change seen again is folded.
      fmt::format("config:{}:{}", event.camera_id, crypto::Sha256Hex(fingerprint)), std::nullopt});
}

}  // namespace

int Serve(const ServeOptions& options) {
  auto loaded = LoadConfig(options);
  if (!loaded) {
    fmt::print(stderr, "camguard: configuration error: {}\n", loaded.error().message);
    return 2;
  }
  const config::Config config = std::move(*loaded);
  ConfigureLogging(config);
  if (auto init = crypto::Initialize(); !init) return Fatal("crypto", init.error());

  const DataDir dir{options.data_dir};
  if (auto made = base::EnsurePrivateDirectory(dir.root); !made)
    return Fatal("data directory", made.error());
  auto lock = DataDirLock::Acquire(dir);
  if (!lock) return Fatal("data directory", lock.error());
  if (auto made = base::EnsurePrivateDirectory(dir.keys()); !made)
    return Fatal("data directory", made.error());

  auto db = store::Database::Open(dir.database());
  if (!db) return Fatal("database", db.error());
  if (auto migrated = store::Migrate(*db); !migrated)
    return Fatal("database migration", migrated.error());

  auto secrets_key = crypto::LoadOrCreateKeyFile(dir.secrets_key());
  if (!secrets_key) return Fatal("secrets key", secrets_key.error());
  auto audit_key = crypto::LoadOrCreateKeyFile(dir.audit_key());
  if (!audit_key) return Fatal("audit key", audit_key.error());

  auto tls = LoadOrCreateTls(dir, config);
  if (!tls) return Fatal("TLS", tls.error());
  auto fingerprint = crypto::CertificateFingerprintSha256(tls->certificate_pem);
  if (!fingerprint) return Fatal("TLS", fingerprint.error());

  if (config.allow_weak_password_hashing) {
    spdlog::warn(
        "allow_weak_password_hashing is on: password hashes are cheap to crack; never use this in "
        "production");
  }
  base::SystemClock clock;
  audit::AuditLog audit_log(*db, *audit_key, dir.audit_head(), clock);
  const auth::PasswordHasher hasher(
      auth::Argon2Params{config.argon2_memory_kib, config.argon2_iterations});
  auth::ThrottleParams throttle_params;
  throttle_params.free_failures = config.throttle_free_failures;
  throttle_params.max_delay = std::chrono::duration_cast<base::Duration>(config.throttle_max_delay);
  auth::LoginThrottle throttle(clock, throttle_params);
  auth::SetupToken setup_token(clock, dir.setup_token());

  auth::AccountStore accounts(*db);
  auto owner_exists = accounts.AnyOwnerExists();
  if (!owner_exists) return Fatal("database", owner_exists.error());
  std::optional<std::string> token;
  if (!*owner_exists) {
    auto issued = setup_token.Issue();
    if (!issued) return Fatal("setup token", issued.error());
    token = std::move(*issued);
  } else {
    (void)base::ShredFile(dir.setup_token());  // a stale file from an interrupted setup
  }

  // The handler is created before the server; the server supplies the blocking pool, so the
  // API reaches it through a small forwarding executor.
  struct ForwardingExecutor final : http::BlockingExecutor {
    http::BlockingExecutor* target = nullptr;
    void RunBlocking(std::function<void()> work, std::function<void()> done) override {
      target->RunBlocking(std::move(work), std::move(done));
    }
  } blocking;

  // The streaming engine: its own SQLite connections and threads; the API tells it about camera
  // changes and shows its status.
  engine::EngineOptions engine_options;
  engine_options.database = dir.database();
  engine_options.recordings_root = config.recordings_directory.value_or(dir.recordings());
  engine_options.secrets_key = &*secrets_key;
  if (config.encrypt_recordings) {
    auto recordings_key = crypto::LoadOrCreateKeyFile(dir.recordings_key());
    if (!recordings_key) return Fatal("recordings key", recordings_key.error());
    engine_options.recordings_key = std::make_shared<const crypto::SecretKey>(*recordings_key);
  }
  engine_options.segment_length = config.segment_length;
  engine_options.disk_budget_bytes = config.disk_budget_gib << 30;
  engine_options.min_free_percent = config.min_free_percent;
  engine_options.stall_timeout = config.stall_timeout;
  engine_options.reconnect_max_delay = config.reconnect_max_delay;
  // Cameras that go offline (and come back) are alerts; the hub is created further down, so the
  // callbacks reach it through this pointer.
  auto alerts_sink = std::make_shared<alerts::AlertHub*>(nullptr);
  engine_options.on_camera_lost = [alerts_sink](std::int64_t camera_id, const std::string& name,
                                                const std::string& reason) {
    if (*alerts_sink == nullptr) return;
    (*alerts_sink)
        ->Raise(alerts::RaisedAlert{alerts::Kind::kCameraOffline,
                                    alerts::DefaultSeverity(alerts::Kind::kCameraOffline),
                                    camera_id, fmt::format("{} is offline: {}", name, reason),
                                    nlohmann::json{{"reason", reason}}.dump(), "", std::nullopt});
  };
  engine_options.on_recording_problem = [alerts_sink](std::int64_t camera_id,
                                                      const std::string& problem, bool disk_full) {
    if (*alerts_sink == nullptr) return;
    const alerts::Kind kind = disk_full ? alerts::Kind::kDiskLow : alerts::Kind::kRecordingGap;
    (*alerts_sink)
        ->Raise(alerts::RaisedAlert{kind, alerts::DefaultSeverity(kind), camera_id, problem,
                                    nlohmann::json{{"problem", problem}}.dump(), "", std::nullopt});
  };
  // Image tamper detection on every camera: alerts, and Home Assistant's "Tampered" sensor.
  auto tamper_board = std::make_shared<app::TamperBoard>();
  engine_options.tamper_interval = config.tamper_interval;
  engine_options.on_tamper = [alerts_sink, tamper_board](std::int64_t camera_id,
                                                         const std::string& name,
                                                         const tamper::TamperEvent& event) {
    const bool lasting = event.kind != tamper::TamperKind::kViewMoved;
    tamper_board->Note(camera_id, lasting, event.raised);
    RaiseTamperAlert(*alerts_sink, camera_id, name, event);
  };
  auto streaming = engine::Engine::Create(engine_options, clock);
  if (!streaming) return Fatal("streaming engine", streaming.error());
  cameras::StreamingControl* streaming_control = streaming->get();

  // MQTT with Home Assistant discovery, when configured.
  std::unique_ptr<mqtt::Bridge> mqtt_bridge;
  std::optional<base::Redacted<std::string>> mqtt_command_token;
  // Commands arrive on the bridge's thread before the loop exists; the relay holds them off
  // until the daemon connects it to the loop.
  auto mqtt_commands = std::make_shared<CommandRelay>();
  if (config.mqtt_enabled) {
    mqtt::BridgeOptions mqtt_options;
    mqtt_options.host = config.mqtt_host;
    mqtt_options.port = config.mqtt_port;
    mqtt_options.username = config.mqtt_username;
    if (config.mqtt_password_file) {
      auto password = base::ReadFile(*config.mqtt_password_file, 4096);
      if (!password) return Fatal("mqtt.password_file", password.error());
      std::string line = std::move(*password);
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      mqtt_options.password = base::Redacted<std::string>(std::move(line));
    }
    if (config.mqtt_ca_file) mqtt_options.ca_file = config.mqtt_ca_file->string();
    mqtt_options.topics.base = config.mqtt_base_topic;
    mqtt_options.topics.discovery_prefix = config.mqtt_discovery_prefix;
    mqtt_options.topics.hub_id = mqtt::TopicLevel(config.mqtt_hub_id);
    mqtt_options.hub_version = kVersion;
    if (config.mqtt_command_token_file) {
      auto command_token = base::ReadFile(*config.mqtt_command_token_file, 4096);
      if (!command_token) return Fatal("mqtt.command_token_file", command_token.error());
      std::string line = std::move(*command_token);
      while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
      if (line.rfind("cgt_", 0) != 0) {
        return Fatal("mqtt.command_token_file",
                     base::Error{base::ErrorCode::kInvalidArgument,
                                 "the file does not hold a camguard API token (cgt_...)"});
      }
      mqtt_command_token = base::Redacted<std::string>(std::move(line));
      mqtt_options.subscriptions.push_back(mqtt_options.topics.CommandFilter());
      mqtt_options.on_message = [relay = mqtt_commands](const std::string& topic,
                                                        const std::string& payload) {
        relay->Deliver(topic, payload);
      };
    }
    auto bridge = mqtt::Bridge::Start(std::move(mqtt_options));
    if (!bridge) return Fatal("mqtt", bridge.error());
    mqtt_bridge = std::move(*bridge);
    mqtt_bridge->Publish(mqtt::HubDiscovery(mqtt_bridge->topics(), kVersion));
  }

  // The alert pipeline: its own thread and database connection. Who may see a camera's alert
  // is the same question the API asks, answered by auth::Authorize() on that connection.
  alerts::AlertHubOptions alert_options;
  alert_options.database = dir.database();
  alert_options.secrets_key = &*secrets_key;
  alert_options.clock = &clock;
  alert_options.may_view = [](store::Database& alert_db, std::int64_t user_id,
                              std::optional<std::int64_t> camera_id) {
    auth::AccountStore users(alert_db);
    auto user = users.FindUser(user_id);
    if (!user || !*user) return false;
    const auth::Principal principal{user_id, (**user).role, std::nullopt};
    if (!camera_id) {
      return (**user).role == auth::Role::kOwner || (**user).role == auth::Role::kAdmin;
    }
    cameras::CameraStore camera_store(alert_db);
    auto granted = camera_store.RightsOfUser(user_id);
    if (!granted) return false;
    auth::Target target;
    target.camera_right = auth::CameraRight::kView;
    target.camera_id = camera_id;
    const auto it = granted->find(*camera_id);
    target.camera_rights_granted = it == granted->end() ? 0 : it->second;
    return auth::Authorize(principal, auth::Action::kUseCamera, target) == auth::Decision::kAllow;
  };
  auto alert_hub = alerts::AlertHub::Start(std::move(alert_options));
  if (!alert_hub) return Fatal("alerts", alert_hub.error());
  *alerts_sink = alert_hub->get();
  if (mqtt_bridge) {
    (*alert_hub)
        ->AddListener([bridge = mqtt_bridge.get()](const alerts::StoredAlert& alert,
                                                   const std::vector<std::int64_t>&) {
          const nlohmann::json payload = {
              {"id", alert.public_id},
              {"kind", alerts::ToString(alert.kind)},
              {"severity", alerts::ToString(alert.severity)},
              {"title", alert.title},
              {"at", base::FormatRfc3339(base::FromUnixMillis(alert.last_ms))}};
          bridge->Publish(mqtt::Message{bridge->topics().LastAlert(), payload.dump(), true});
        });
  }

  // The integrity watch: PTZ through the hub, and the alarm when a camera is moved or
  // reconfigured from outside camguard. Its threads report here; MQTT is told at once.
  auto outside_moves = std::make_shared<app::OutsideMoveBoard>();
  watch::WatchOptions watch_options;
  watch_options.database = dir.database();
  watch_options.secrets_key = &*secrets_key;
  watch_options.poll_interval = config.watch_poll_interval;
  watch_options.config_interval = config.watch_config_interval;
  watch_options.on_hub_move = [engine = streaming->get()](std::int64_t camera_id) {
    engine->RelearnView(camera_id);
  };
  watch_options.on_event = [alerts_sink, outside_moves](const watch::WatchEvent& event) {
    RaiseWatchAlert(*alerts_sink, event);
    if (event.kind != watch::WatchEvent::Kind::kConfigurationChanged) {
      outside_moves->Note(event.camera_id);
    }
  };
  auto integrity_watch = watch::IntegrityWatch::Create(std::move(watch_options), clock);
  if (!integrity_watch) return Fatal("integrity watch", integrity_watch.error());

  api::ApiOptions api_options;
  api_options.session_idle_timeout = config.session_idle_timeout;
  api_options.session_absolute_timeout = config.session_absolute_timeout;
  api_options.allowed_origins = config.allowed_origins;
  api_options.server_names = config.server_names;
  api_options.recordings_directory = config.recordings_directory.value_or(dir.recordings());
  api_options.exports_directory = dir.exports();
  api_options.recordings_key = engine_options.recordings_key;
  api::Api api(api::ApiDeps{clock, *db, audit_log, hasher, throttle, setup_token, *secrets_key,
                            blocking, streaming_control, alert_hub->get(), integrity_watch->get()},
               api_options);

  net::ServerOptions server_options;
  server_options.host = config.listen_host;
  server_options.port = config.listen_port;
  server_options.certificate_pem = tls->certificate_pem;
  server_options.private_key_pem = tls->private_key_pem;
  // The front door: the web UI's files, and /api/ to the API.
  web::Frontend frontend(api);
  auto server = net::Server::Create(server_options, frontend);
  if (!server) return Fatal("listen", server.error());
  blocking.target = &(*server)->blocking();

  const std::string shown_host =
      (config.listen_host == "0.0.0.0" || config.listen_host == "::")
          ? "localhost"
          : (config.listen_host.find(':') != std::string::npos ? "[" + config.listen_host + "]"
                                                               : config.listen_host);
  Say("listening on https://{}:{}/", shown_host, (*server)->port());
  Say("TLS certificate SHA-256 fingerprint {}", *fingerprint);
  if (token) {
    Say("setup token {} (single use, valid 1 hour, also in {})", *token,
        dir.setup_token().string());
    Say("no account exists yet: create the owner with POST /api/v1/setup and this token");
  }
  if (options.demo) {
    Say("demo mode: data in {}", dir.root.string());
    if (options.demo_camsim_lines) {
      const int added = RegisterDemoCameras(*db, *secrets_key, *options.demo_camsim_lines, clock);
      if (added >= 0) {
        Say("demo: {} simulated cameras registered; they appear once the owner signs in", added);
      }
    } else if (options.demo_cameras > 0) {
      Say("{} simulated cameras were requested; start 'camsim --cameras {}' and add them in the "
          "web UI, or use scripts/demo, which does both",
          options.demo_cameras, options.demo_cameras);
    }
  }

  audit::Entry start{audit::Actor{std::nullopt, "", "", "camguard", "local"}, "hub.start", "",
                     audit::Outcome::kSuccess, "{}"};
  if (auto appended = audit_log.Append(start); !appended) {
    // Refuse to run on a log that was cut or extended behind camguard's back: appending would
    // hide the evidence. The owner inspects it and decides.
    fmt::print(
        stderr,
        "camguard: the audit log does not match its anchor; run 'camguard audit-log verify "
        "--data-dir {0}'. "
        "If you restored a backup on purpose, run 'camguard audit-log reanchor --data-dir {0}'.\n",
        dir.root.string());
    return Fatal("audit log", appended.error());
  }

  // Alerts reach the open pages of their recipients over the events WebSocket (loop thread).
  (*alert_hub)
      ->AddListener([&api, server = server->get()](const alerts::StoredAlert& alert,
                                                   const std::vector<std::int64_t>& users) {
        server->Post([&api, alert, users] { api.PushAlert(alert, users); });
      });
  if (mqtt_bridge) {
    // Cameras appear in Home Assistant as they are added and vanish when removed; their state
    // is republished every few seconds (retained, so a restarted Home Assistant has it at once).
    auto link = std::make_shared<app::HomeAssistantLink>(app::HomeAssistantLinkDeps{
        *db, streaming_control, integrity_watch->get(), *mqtt_bridge, *outside_moves, *tamper_board,
        api, mqtt_command_token, kVersion});
    const auto publish_cameras = [link] { link->Publish(); };
    mqtt_commands->Connect([server = server->get(), link](std::string topic, std::string payload) {
      server->Post([link, topic = std::move(topic), payload = std::move(payload)] {
        link->HandleCommand(topic, payload);
      });
    });
    publish_cameras();
    (*server)->Every(std::chrono::seconds(5), publish_cameras);
    // An outside move reaches Home Assistant at once, not at the next round.
    outside_moves->SetListener(
        [server = server->get(), publish_cameras] { server->Post(publish_cameras); });
  }
  if (auto started = (*streaming)->Start(); !started)
    return Fatal("streaming engine", started.error());
  if (auto started = (*integrity_watch)->Start(); !started)
    return Fatal("integrity watch", started.error());
  (*server)->Run();
  outside_moves->SetListener(nullptr);
  mqtt_commands->Connect(nullptr);
  (*integrity_watch)->Stop();
  (*streaming)->Stop();
  (*alert_hub)->Stop();
  if (mqtt_bridge) mqtt_bridge->Stop();

  audit::Entry stop{audit::Actor{std::nullopt, "", "", "camguard", "local"}, "hub.stop", "",
                    audit::Outcome::kSuccess, "{}"};
  (void)audit_log.Append(stop);
  spdlog::info("stopped cleanly");
  return 0;
}

int VerifyAuditLog(const std::filesystem::path& data_dir) {
  const DataDir dir{data_dir};
  if (auto init = crypto::Initialize(); !init) return Fatal("crypto", init.error());
  if (!std::filesystem::exists(dir.database())) {
    fmt::print(stderr, "camguard: no database in {}\n", data_dir.string());
    return 2;
  }
  if (!std::filesystem::exists(dir.audit_key())) {
    fmt::print(stderr, "camguard: the audit key {} is missing; the chain cannot be verified\n",
               dir.audit_key().string());
    return 1;
  }
  auto key = crypto::LoadOrCreateKeyFile(dir.audit_key());
  if (!key) return Fatal("audit key", key.error());
  auto db = store::Database::Open(dir.database());
  if (!db) return Fatal("database", db.error());
  // Always with the anchor: deleting audit.head together with the newest rows must not pass.
  auto report = audit::Verify(*db, *key, dir.audit_head());
  if (!report) return Fatal("audit log", report.error());
  if (report->intact) {
    fmt::print("audit log intact: {} entries verified\n", report->entries_checked);
    return 0;
  }
  fmt::print("audit log TAMPERED: {}\n", report->problem);
  return 1;
}

int ReanchorAuditLog(const std::filesystem::path& data_dir) {
  const DataDir dir{data_dir};
  if (auto init = crypto::Initialize(); !init) return Fatal("crypto", init.error());
  if (!std::filesystem::exists(dir.database()) || !std::filesystem::exists(dir.audit_key())) {
    fmt::print(stderr, "camguard: {} has no database or no audit key\n", data_dir.string());
    return 2;
  }
  auto lock = DataDirLock::Acquire(dir);
  if (!lock) return Fatal("data directory", lock.error());
  auto key = crypto::LoadOrCreateKeyFile(dir.audit_key());
  if (!key) return Fatal("audit key", key.error());
  auto db = store::Database::Open(dir.database());
  if (!db) return Fatal("database", db.error());
  auto report = audit::Reanchor(*db, *key, dir.audit_head());
  if (!report) return Fatal("audit log", report.error());
  if (!report->intact) {
    fmt::print("audit log TAMPERED, anchor left unchanged: {}\n", report->problem);
    return 1;
  }
  fmt::print("audit log chain intact ({} entries); anchor rewritten at the current head\n",
             report->entries_checked);
  return 0;
}

int Erase(const std::filesystem::path& data_dir, bool confirmed) {
  const DataDir dir{data_dir};
  if (!std::filesystem::is_directory(dir.root)) {
    fmt::print(stderr, "camguard: {} is not a directory\n", data_dir.string());
    return 2;
  }
  if (!std::filesystem::exists(dir.database()) && !std::filesystem::exists(dir.keys())) {
    fmt::print(stderr,
               "camguard: {} does not look like a camguard data directory; nothing erased\n",
               data_dir.string());
    return 2;
  }
  auto lock = DataDirLock::Acquire(dir);
  if (!lock) {
    fmt::print(stderr, "camguard: {}\n", lock.error().message);
    return 1;
  }
  if (!confirmed) {
    fmt::print(
        "This permanently erases every account, session, key, certificate, audit entry and "
        "recording\n"
        "in {}.\nType 'erase' to confirm: ",
        data_dir.string());
    std::fflush(stdout);
    std::string answer;
    if (!std::getline(std::cin, answer) || answer != "erase") {
      fmt::print("not confirmed; nothing erased\n");
      return 1;
    }
  }
  std::vector<std::filesystem::path> files;
  std::vector<std::filesystem::path> dirs;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir.root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_directory() && !it->is_symlink()) {
      dirs.push_back(it->path());
    } else if (it->path() != dir.lock()) {
      files.push_back(it->path());
    }
  }
  int failures = 0;
  for (const auto& file : files) {
    if (std::filesystem::is_symlink(file)) {
      std::filesystem::remove(file, ec);
    } else if (auto shredded = base::ShredFile(file); !shredded) {
      fmt::print(stderr, "camguard: {}\n", shredded.error().message);
      ++failures;
    }
  }
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) std::filesystem::remove(*it, ec);
  std::filesystem::remove(dir.lock(), ec);
  if (failures > 0) {
    fmt::print(stderr, "camguard: {} files could not be erased\n", failures);
    return 1;
  }
  fmt::print("erased all user data in {}\n", data_dir.string());
  return 0;
}

}  // namespace camguard::app
