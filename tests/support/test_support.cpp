// SPDX-License-Identifier: Apache-2.0
#include "test_support.h"

#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <stdexcept>

#include <gtest/gtest.h>

namespace camguard::testing {

TempDir::TempDir(std::string_view label) {
  std::string pattern = ::testing::TempDir() + std::string(label) + "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr)
    throw std::runtime_error("mkdtemp failed for " + pattern);
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

CommandResult RunCommand(const std::string& command, bool with_stderr) {
  CommandResult result;
  FILE* pipe = ::popen((with_stderr ? command + " 2>&1" : command).c_str(), "r");
  if (pipe == nullptr) return result;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.output.append(buffer, n);
  const int status = ::pclose(pipe);
  if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
  return result;
}

}  // namespace camguard::testing
