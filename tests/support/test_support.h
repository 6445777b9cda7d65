// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the unit tests of every module: temporary directories that clean up after
// themselves, and running a command-line peer (openssl, curl, argon2) to compare against.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace camguard::testing {

// A fresh directory under the test temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  explicit TempDir(std::string_view label = "camguard");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct CommandResult {
  int exit_code = -1;  // -1 when the command did not exit normally
  std::string output;  // stdout, and stderr too when `with_stderr`
};

// Runs `command` with /bin/sh and collects its output.
CommandResult RunCommand(const std::string& command, bool with_stderr = false);

}  // namespace camguard::testing
