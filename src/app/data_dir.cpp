// SPDX-License-Identifier: Apache-2.0
#include "app/data_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include <fmt/format.h>

namespace camguard::app {

base::Result<DataDirLock> DataDirLock::Acquire(const DataDir& dir) {
  const int fd = ::open(dir.lock().c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    return base::Fail(base::ErrorCode::kUnavailable,
                      fmt::format("cannot open {}: {}", dir.lock().string(), std::strerror(errno)));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return base::Fail(
        base::ErrorCode::kUnavailable,
        fmt::format("another camguard process is using {}; stop it first", dir.root.string()));
  }
  return DataDirLock(fd);
}

DataDirLock::DataDirLock(DataDirLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}

DataDirLock::~DataDirLock() {
  if (fd_ >= 0) ::close(fd_);
}

}  // namespace camguard::app
