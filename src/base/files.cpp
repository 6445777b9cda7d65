// SPDX-License-Identifier: Apache-2.0
#include "base/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include <fmt/format.h>

namespace camguard::base {

UniqueFd::~UniqueFd() {
  if (fd_ >= 0) ::close(fd_);
}
namespace {

tl::unexpected<Error> Errno(std::string_view what, const std::filesystem::path& path) {
  const int err = errno;
  const ErrorCode code = (err == ENOENT)                   ? ErrorCode::kNotFound
                         : (err == EACCES || err == EPERM) ? ErrorCode::kPermissionDenied
                         : (err == ENOSPC)                 ? ErrorCode::kResourceExhausted
                                                           : ErrorCode::kInternal;
  return Fail(code, fmt::format("{} {}: {}", what, path.string(), std::strerror(err)));
}

using Fd = UniqueFd;

Status WriteAll(int fd, std::string_view data, const std::filesystem::path& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot write", path);
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return Ok();
}

}  // namespace

Status EnsurePrivateDirectory(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::exists(dir, ec)) {
    if (!std::filesystem::is_directory(dir, ec)) {
      return Fail(ErrorCode::kFailedPrecondition,
                  fmt::format("{} exists and is not a directory", dir.string()));
    }
  } else {
    if (dir.has_parent_path() && !dir.parent_path().empty()) {
      std::filesystem::create_directories(dir.parent_path(), ec);
      if (ec) {
        return Fail(ErrorCode::kInternal,
                    fmt::format("cannot create {}: {}", dir.parent_path().string(), ec.message()));
      }
    }
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST)
      return Errno("cannot create directory", dir);
  }
  if (::chmod(dir.c_str(), 0700) != 0) return Errno("cannot set mode 0700 on", dir);
  return Ok();
}

Status WritePrivateFile(const std::filesystem::path& path, std::string_view contents) {
  std::filesystem::path tmp = path;
  tmp += ".tmp";
  const auto write_tmp = [&]() -> Status {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (fd.get() < 0) return Errno("cannot create", tmp);
    if (::fchmod(fd.get(), 0600) != 0) return Errno("cannot set mode 0600 on", tmp);
    CAMGUARD_TRY_STATUS(WriteAll(fd.get(), contents, tmp));
    if (::fsync(fd.get()) != 0) return Errno("cannot sync", tmp);
    if (::close(fd.release()) != 0) return Errno("cannot close", tmp);
    return Ok();
  };
  if (auto written = write_tmp(); !written) {
    // Do not leave a partial copy of a secret behind (e.g. after ENOSPC).
    ::unlink(tmp.c_str());
    return written;
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    const auto error = Errno("cannot rename into", path);
    ::unlink(tmp.c_str());
    return error;
  }
  // Make the rename durable.
  const std::filesystem::path parent = path.has_parent_path() ? path.parent_path() : ".";
  Fd dir(::open(parent.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());
  return Ok();
}

Result<std::string> ReadFile(const std::filesystem::path& path, std::size_t max_bytes) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return Errno("cannot open", path);
  std::string out;
  std::vector<char> buffer(64 * 1024);
  for (;;) {
    const ssize_t n = ::read(fd.get(), buffer.data(), buffer.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("cannot read", path);
    }
    if (n == 0) break;
    out.append(buffer.data(), static_cast<std::size_t>(n));
    if (out.size() > max_bytes) {
      return Fail(ErrorCode::kResourceExhausted,
                  fmt::format("{} is larger than {} bytes", path.string(), max_bytes));
    }
  }
  return out;
}

Status ShredFile(const std::filesystem::path& path) {
  {
    Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (fd.get() < 0) {
      if (errno == ENOENT) return Ok();
      return Errno("cannot open", path);
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) == 0 && st.st_size > 0) {
      const std::string zeros(static_cast<std::size_t>(std::min<off_t>(st.st_size, 1 << 20)), '\0');
      off_t left = st.st_size;
      while (left > 0) {
        const auto chunk =
            static_cast<std::size_t>(std::min<off_t>(left, static_cast<off_t>(zeros.size())));
        if (!WriteAll(fd.get(), std::string_view(zeros.data(), chunk), path)) break;
        left -= static_cast<off_t>(chunk);
      }
      ::fsync(fd.get());
    }
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) return Errno("cannot remove", path);
  return Ok();
}

}  // namespace camguard::base
