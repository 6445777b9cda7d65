// SPDX-License-Identifier: Apache-2.0
#include "base/files.h"

#include <stdlib.h>
#include <sys/stat.h>

#include <string>

#include <gtest/gtest.h>

#include "test_support.h"

namespace camguard::base {
namespace {

using camguard::testing::TempDir;

unsigned Mode(const std::filesystem::path& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

// Sets a permissive umask for the scope, so that modes come from the code under test.
class ScopedUmask {
 public:
  explicit ScopedUmask(mode_t mask) : old_(::umask(mask)) {}
  ~ScopedUmask() { ::umask(old_); }
  ScopedUmask(const ScopedUmask&) = delete;
  ScopedUmask& operator=(const ScopedUmask&) = delete;

 private:
  mode_t old_;
};

TEST(Files, EnsurePrivateDirectoryCreatesMode0700WithParents) {
  TempDir dir;
  ScopedUmask umask(0);
  const auto keys = dir.path() / "data" / "keys";
  ASSERT_TRUE(EnsurePrivateDirectory(keys));
  EXPECT_TRUE(std::filesystem::is_directory(keys));
  EXPECT_EQ(Mode(keys), 0700u);
  ASSERT_TRUE(EnsurePrivateDirectory(keys));  // idempotent
  EXPECT_EQ(Mode(keys), 0700u);
}

TEST(Files, EnsurePrivateDirectoryTightensAnExistingDirectory) {
  TempDir dir;
  const auto data = dir.path() / "data";
  std::filesystem::create_directory(data);
  ASSERT_EQ(::chmod(data.c_str(), 0755), 0);
  ASSERT_TRUE(EnsurePrivateDirectory(data));
  EXPECT_EQ(Mode(data), 0700u);
}

TEST(Files, EnsurePrivateDirectoryRefusesAFile) {
  TempDir dir;
  const auto file = dir.path() / "file";
  ASSERT_TRUE(WritePrivateFile(file, "x"));
  auto status = EnsurePrivateDirectory(file);
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kFailedPrecondition);
}

TEST(Files, WritePrivateFileCreatesMode0600EvenWithAPermissiveUmask) {
  TempDir dir;
  ScopedUmask umask(0);
  const auto file = dir.path() / "secrets.key";
  ASSERT_TRUE(WritePrivateFile(file, std::string("k\0ey", 4)));
  EXPECT_EQ(Mode(file), 0600u);
  EXPECT_EQ(*ReadFile(file), std::string("k\0ey", 4));
}

TEST(Files, WritePrivateFileReplacesTheContentAndTightensTheMode) {
  TempDir dir;
  const auto file = dir.path() / "audit.head";
  ASSERT_TRUE(WritePrivateFile(file, "a much longer first version"));
  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  ASSERT_TRUE(WritePrivateFile(file, "second"));
  EXPECT_EQ(*ReadFile(file), "second");
  EXPECT_EQ(Mode(file), 0600u);
  // The temporary file was renamed into place, not left beside it.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST(Files, WritePrivateFileReplacesASymlinkInsteadOfWritingThroughIt) {
  TempDir dir;
  const auto target = dir.path() / "elsewhere";
  ASSERT_TRUE(WritePrivateFile(target, "untouched"));
  const auto link = dir.path() / "audit.head";
  std::filesystem::create_symlink(target, link);
  ASSERT_TRUE(WritePrivateFile(link, "new"));
  EXPECT_FALSE(std::filesystem::is_symlink(link));
  EXPECT_EQ(*ReadFile(link), "new");
  EXPECT_EQ(*ReadFile(target), "untouched");
}

TEST(Files, WritePrivateFileReportsAMissingDirectory) {
  TempDir dir;
  auto status = WritePrivateFile(dir.path() / "missing" / "file", "x");
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, ErrorCode::kNotFound);
}

TEST(Files, ReadFileEnforcesTheSizeLimit) {
  TempDir dir;
  const auto file = dir.path() / "big";
  ASSERT_TRUE(WritePrivateFile(file, std::string(100, 'x')));
  auto exact = ReadFile(file, 100);
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact->size(), 100u);
  auto over = ReadFile(file, 99);
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, ErrorCode::kResourceExhausted);
}

TEST(Files, ReadFileLimitHoldsBeyondOneReadChunk) {
  TempDir dir;
  const auto file = dir.path() / "bigger";
  ASSERT_TRUE(WritePrivateFile(file, std::string(200 * 1024, 'y')));
  EXPECT_FALSE(ReadFile(file, 150 * 1024));
  EXPECT_EQ(ReadFile(file, 200 * 1024)->size(), 200u * 1024);
}

TEST(Files, ReadFileOfAMissingFileIsNotFound) {
  TempDir dir;
  auto missing = ReadFile(dir.path() / "nothing");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(Files, ShredFileRemovesTheFileAndToleratesAbsence) {
  TempDir dir;
  const auto file = dir.path() / "old.key";
  ASSERT_TRUE(WritePrivateFile(file, std::string(5000, 's')));
  ASSERT_TRUE(ShredFile(file));
  EXPECT_FALSE(std::filesystem::exists(file));
  EXPECT_TRUE(ShredFile(file));
}

}  // namespace
}  // namespace camguard::base
