// SPDX-License-Identifier: Apache-2.0
// Stand-in for libFuzzer's main: feeds every regular file under the given paths (files or
// directories, recursively, in sorted order) to LLVMFuzzerTestOneInput once. Linked into the
// NAME_replay binaries so that any compiler or sanitizer build replays the committed corpora
// as regression tests. A crash, sanitizer report or non-zero return fails the run.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);
extern "C" __attribute__((weak)) int LLVMFuzzerInitialize(int* argc, char*** argv);

namespace {

bool ReadWholeFile(const std::filesystem::path& path, std::string& out) {
  std::FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) return false;
  out.clear();
  char buffer[64 * 1024];
  std::size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) out.append(buffer, n);
  const bool ok = std::ferror(file) == 0;
  std::fclose(file);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);

  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path root(argv[i]);
    std::error_code ec;
    if (std::filesystem::is_regular_file(root, ec)) {
      files.push_back(root);
      continue;
    }
    if (!std::filesystem::is_directory(root, ec)) {
      std::fprintf(stderr, "replay: %s is neither a file nor a directory\n", argv[i]);
      return 2;
    }
    for (std::filesystem::recursive_directory_iterator it(root, ec), end; !ec && it != end;
         it.increment(ec)) {
      if (it->is_regular_file(ec)) files.push_back(it->path());
    }
    if (ec) {
      std::fprintf(stderr, "replay: cannot list %s: %s\n", argv[i], ec.message().c_str());
      return 2;
    }
  }
  // An empty corpus would make the regression test pass without testing anything.
  if (files.empty()) {
    std::fprintf(stderr, "replay: no corpus files found\n");
    return 2;
  }
  std::sort(files.begin(), files.end());

  std::string data;
  for (const auto& file : files) {
    if (!ReadWholeFile(file, data)) {
      std::fprintf(stderr, "replay: cannot read %s\n", file.c_str());
      return 2;
    }
    // Printed before the call so that a crash report can be traced to its input.
    std::fprintf(stderr, "replay: %s (%zu bytes)\n", file.c_str(), data.size());
    const int rc =
        LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(data.data()), data.size());
    if (rc != 0) {
      std::fprintf(stderr, "replay: %s: target returned %d\n", file.c_str(), rc);
      return 1;
    }
  }
  std::fprintf(stderr, "replay: %zu inputs, all passed\n", files.size());
  return 0;
}
