// SPDX-License-Identifier: Apache-2.0
// Test footage for the tamper tests: camsim's clips (home, left, right, down: different scenes
// with motion and noise; covered: a dark lens with sensor noise), 4 s each, a keyframe every 2 s,
// as raw H.264 Annex-B with an access unit delimiter before every access unit.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "media/h264.h"

namespace camguard::tamper::testing {

// CAMSIM_CLIPS if set, else the clips this build encodes; nullopt when neither exists.
inline std::optional<std::filesystem::path> ClipsDir() {
  if (const char* from_env = std::getenv("CAMSIM_CLIPS"); from_env != nullptr && *from_env) {
    return std::filesystem::path(from_env);
  }
#ifdef CAMGUARD_BUILD_CLIPS_DIR
  const std::filesystem::path built(CAMGUARD_BUILD_CLIPS_DIR);
  if (std::filesystem::exists(built / "home_sub.h264")) return built;
#endif
  return std::nullopt;
}

inline std::vector<std::uint8_t> ReadBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

inline int NalType(std::span<const std::uint8_t> nal) { return nal.empty() ? -1 : nal[0] & 0x1f; }

// Every access unit of an Annex-B stream, re-encoded as Annex-B (4-byte start codes).
inline std::vector<std::vector<std::uint8_t>> AccessUnits(std::span<const std::uint8_t> stream) {
  std::vector<std::vector<std::uint8_t>> units;
  for (const auto nal : media::SplitAnnexB(stream)) {
    if (nal.empty()) continue;
    if (NalType(nal) == 9 || units.empty()) units.emplace_back();
    units.back().insert(units.back().end(), {0, 0, 0, 1});
    units.back().insert(units.back().end(), nal.begin(), nal.end());
  }
  return units;
}

inline bool HasNalType(std::span<const std::uint8_t> unit, int type) {
  for (const auto nal : media::SplitAnnexB(unit)) {
    if (NalType(nal) == type) return true;
  }
  return false;
}

inline std::vector<std::vector<std::uint8_t>> KeyframeUnits(std::span<const std::uint8_t> stream) {
  std::vector<std::vector<std::uint8_t>> keyframes;
  for (auto& unit : AccessUnits(stream)) {
    if (HasNalType(unit, 5)) keyframes.push_back(std::move(unit));
  }
  return keyframes;
}

// The views camsim's clips show.
inline const std::vector<std::string>& SceneViews() {
  static const std::vector<std::string> views = {"home", "left", "right", "down"};
  return views;
}

}  // namespace camguard::tamper::testing
