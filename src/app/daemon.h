// SPDX-License-Identifier: Apache-2.0
// The commands of the camguard executable. Each returns the process exit code.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace camguard::app {

struct ServeOptions {
  std::filesystem::path data_dir;
  std::optional<std::filesystem::path> config_file;
  std::optional<std::string> listen;
  bool demo = false;     // demo banner on loopback
  int demo_cameras = 0;  // simulated cameras requested for the demo
  // camsim's start lines (one JSON object per camera): registered as cameras at start (demo only).
  std::optional<std::filesystem::path> demo_camsim_lines;
};

int Serve(const ServeOptions& options);
int VerifyAuditLog(const std::filesystem::path& data_dir);
// After restoring a database backup: re-anchors an intact chain at its current head.
int ReanchorAuditLog(const std::filesystem::path& data_dir);
// Erases all user data in `data_dir` (EN 303 645 provision 5.11-1). `confirmed` skips the prompt.
int Erase(const std::filesystem::path& data_dir, bool confirmed);

}  // namespace camguard::app
