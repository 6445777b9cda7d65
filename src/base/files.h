// SPDX-License-Identifier: Apache-2.0
// File helpers that keep the data directory private: directories 0700, files 0600,
// writes atomic (temp file + fsync + rename) so a crash never leaves half a key.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "base/result.h"

namespace camguard::base {

// Owns a file descriptor: closed when the owner goes away unless released.
class UniqueFd {
 public:
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd();
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  int release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }

 private:
  int fd_;
};

// Creates `dir` (and parents) with mode 0700, or tightens an existing one to 0700.
// Fails if the path exists and is not a directory.
Status EnsurePrivateDirectory(const std::filesystem::path& dir);

// Writes `contents` to `path` atomically with mode 0600.
Status WritePrivateFile(const std::filesystem::path& path, std::string_view contents);

// Reads a whole file (bounded by `max_bytes`).
Result<std::string> ReadFile(const std::filesystem::path& path, std::size_t max_bytes = 16 << 20);

// Overwrites a file with zeros, syncs it and removes it; best effort on the overwrite.
Status ShredFile(const std::filesystem::path& path);

}  // namespace camguard::base
