// SPDX-License-Identifier: Apache-2.0
// The session description a DESCRIBE answers with (RFC 4566; H.264 parameters of RFC 6184 §8.1,
// H.265 parameters of RFC 7798 §7.1).
#pragma once

#include <string>

#include "camsim/rtp.h"

namespace camguard::camsim {

// One video track (H.264 or H.265, as the clip is) with control URL "trackID=0" relative to the
// Content-Base. `address` is the camera's IPv4 address (origin line), `session_id` a decimal
// number.
std::string BuildSdp(const PacketizedClip& clip, const std::string& address,
                     const std::string& session_id, const std::string& title);

// profile-level-id of RFC 6184 §8.1: profile_idc, constraint flags, level_idc as 6 hex digits.
std::string ProfileLevelId(const SpsInfo& sps);

// The format parameters of RFC 7798 §7.1 for an H.265 clip: profile-space, tier-flag,
// profile-id, level-id, interop-constraints and the parameter sets (sprop-vps, sprop-sps,
// sprop-pps), separated by ';'.
std::string H265FormatParameters(const PacketizedClip& clip);

}  // namespace camguard::camsim
