// SPDX-License-Identifier: Apache-2.0
// Layout of the data directory (0700; every file 0600):
//   camguard.db (+ -wal, -shm)   SQLite database
//   camguard.lock                held (flock) by the running hub
//   keys/secrets.key             seals TOTP secrets and camera credentials, keys recovery codes
//   keys/audit.key               HMAC key of the audit hash chain (never in the database)
//   keys/recordings.key          master key wrapping each recording segment's own key
//   recordings/<camera>/         segment files (unless [recording] directory moves them)
//   exports/                     exported clips (plain MP4), never touched by retention
//   tls/cert.pem, tls/key.pem    generated self-signed certificate (unless the owner supplies one)
//   audit.head                   last audit seq + hash, to detect truncation
//   setup-token                  one-time setup token while no owner exists
#pragma once

#include <filesystem>

#include "base/result.h"

namespace camguard::app {

struct DataDir {
  std::filesystem::path root;
  std::filesystem::path database() const { return root / "camguard.db"; }
  std::filesystem::path lock() const { return root / "camguard.lock"; }
  std::filesystem::path keys() const { return root / "keys"; }
  std::filesystem::path secrets_key() const { return keys() / "secrets.key"; }
  std::filesystem::path audit_key() const { return keys() / "audit.key"; }
  std::filesystem::path recordings_key() const { return keys() / "recordings.key"; }
  std::filesystem::path recordings() const { return root / "recordings"; }
  std::filesystem::path exports() const { return root / "exports"; }
  std::filesystem::path tls() const { return root / "tls"; }
  std::filesystem::path certificate() const { return tls() / "cert.pem"; }
  std::filesystem::path private_key() const { return tls() / "key.pem"; }
  std::filesystem::path audit_head() const { return root / "audit.head"; }
  std::filesystem::path setup_token() const { return root / "setup-token"; }
};

// An exclusive advisory lock on the data directory, released on destruction.
class DataDirLock {
 public:
  static base::Result<DataDirLock> Acquire(const DataDir& dir);
  DataDirLock(DataDirLock&& other) noexcept;
  DataDirLock& operator=(DataDirLock&&) = delete;
  DataDirLock(const DataDirLock&) = delete;
  ~DataDirLock();

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace camguard::app
