// SPDX-License-Identifier: Apache-2.0
// The simulated camera's HTTP side: ONVIF over SOAP 1.2 (Device, Media and PTZ services), the
// JPEG snapshot, and the small web admin and vendor paths the weakness profiles expose. Pure
// of I/O: a parsed request and the time in, a reply out; the simulator's loop does the sockets.
//
// Authentication as ONVIF Core §5.12 asks: WS-UsernameToken with PasswordDigest (Created within
// kMaxClockSkew of the camera's clock, each Nonce accepted once) or HTTP Digest. Authorization
// follows the default access policy (ONVIF Core §5.9.4): every operation has an access class and
// each user level a set of classes; anonymous callers get only the pre-auth class.
#pragma once

#include <chrono>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/clock.h"
#include "camsim/auth.h"
#include "camsim/camera.h"
#include "camsim/rtsp_message.h"

namespace camguard::camsim {

inline constexpr std::chrono::seconds kMaxClockSkew{300};
inline constexpr std::size_t kMaxRememberedNonces = 4096;
// Lockout of a source address after repeated failed logins (not with the no-lockout profile).
inline constexpr int kLockoutFailures = 5;
inline constexpr std::chrono::seconds kLockoutWindow{60};
inline constexpr std::chrono::seconds kLockoutDuration{60};

struct HttpReply {
  int status = 200;
  std::string content_type;
  std::vector<std::string> headers;  // "Name: value"
  std::string body;
};

enum class AccessClass {
  kPreAuth,
  kReadSystem,
  kReadSystemSecret,
  kWriteSystem,
  kUnrecoverable,
  kReadMedia,
  kActuate,
};

// JPEG pictures by view name ("home", "left", ..., "covered").
using Snapshots = std::map<std::string, std::string>;

class OnvifService {
 public:
  OnvifService(CameraState& camera, const RtspAuthenticator& http_auth, const base::Clock& clock,
               const Snapshots& snapshots);

  // `peer` is the client's address (for the lockout), `now` the steady time of the loop.
  HttpReply Handle(const RtspRequest& request, std::string_view peer, PtzTime now);

 private:
  struct Caller {
    bool authenticated = false;
    std::string username;
    UserLevel level = UserLevel::kUser;
  };

  HttpReply HandleSoap(const RtspRequest& request, std::string_view peer, PtzTime now);
  HttpReply HandleGet(const RtspRequest& request, std::string_view peer, PtzTime now);
  HttpReply Challenge(bool stale) const;
  bool LockedOut(std::string_view peer, PtzTime now);
  void NoteFailure(std::string_view peer, PtzTime now);
  bool NonceSeen(const std::string& nonce);

  CameraState& camera_;
  const RtspAuthenticator& http_auth_;
  const base::Clock& clock_;
  const Snapshots& snapshots_;
  std::deque<std::string> nonce_order_;
  std::unordered_set<std::string> nonces_;
  std::unordered_map<std::string, std::deque<PtzTime>> failures_;
  std::unordered_map<std::string, PtzTime> locked_until_;
};

// The access class of a SOAP operation (by local name), or nullopt for an unknown one.
std::optional<AccessClass> AccessClassOf(std::string_view operation);
bool LevelAllows(std::optional<UserLevel> level, AccessClass access);

// xs:duration as ONVIF uses it for timeouts ("PT1S", "PT0.5S", "PT1M30S"), 0 to 1 day.
std::optional<std::chrono::milliseconds> ParseXsDuration(std::string_view text);

}  // namespace camguard::camsim
