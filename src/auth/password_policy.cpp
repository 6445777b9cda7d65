// SPDX-License-Identifier: Apache-2.0
#include "auth/password_policy.h"

#include <array>
#include <string>
#include <unordered_set>
#include <vector>

#include "base/strings.h"

namespace camguard::auth {
namespace internal {
// Defined in the .cpp that CMake generates from data/common-passwords.txt: lower-case
// entries, one per line.
std::string_view EmbeddedCommonPasswords();
}  // namespace internal

namespace {

using base::ErrorCode;

// A common password counts as "hidden" inside a longer one only if the part left after
// stripping digits and symbols is at least this long: short list entries ("bob", "1234") would
// otherwise refuse many random passwords that merely contain them.
constexpr std::size_t kMinCoreWithLetters = 4;
constexpr std::size_t kMinCoreWithoutLetters = 6;

// Runs along which people type "random" passwords. Each is followed cyclically ("...890" then
// "12", "...xyz" then "ab") and in both directions.
constexpr std::array<std::string_view, 5> kSequences = {
    "0123456789",
    "abcdefghijklmnopqrstuvwxyz",
    "qwertyuiopasdfghjklzxcvbnm",  // QWERTY rows
    "qwertzuiopasdfghjklyxcvbnm",  // QWERTZ rows
    "azertyuiopqsdfghjklmwxcvbn",  // AZERTY rows
};

const std::unordered_set<std::string_view>& CommonPasswords() {
  static const std::unordered_set<std::string_view> set = [] {
    std::unordered_set<std::string_view> entries;
    for (std::string_view line : base::Split(internal::EmbeddedCommonPasswords(), '\n')) {
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (!line.empty()) entries.insert(line);
    }
    return entries;
  }();
  return set;
}

// Code points of text already known to be valid UTF-8.
std::vector<char32_t> CodePoints(std::string_view utf8) {
  std::vector<char32_t> out;
  std::size_t i = 0;
  while (i < utf8.size()) {
    const auto lead = static_cast<unsigned char>(utf8[i]);
    std::size_t extra = 0;
    char32_t cp = lead;
    if (lead >= 0xf0) {
      extra = 3;
      cp = lead & 0x07;
    } else if (lead >= 0xe0) {
      extra = 2;
      cp = lead & 0x0f;
    } else if (lead >= 0xc0) {
      extra = 1;
      cp = lead & 0x1f;
    }
    for (std::size_t k = 1; k <= extra && i + k < utf8.size(); ++k) {
      cp = (cp << 6) | (static_cast<unsigned char>(utf8[i + k]) & 0x3f);
    }
    out.push_back(cp);
    i += extra + 1;
  }
  return out;
}

bool IsControl(char32_t cp) { return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f); }

bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

// Digits, ASCII punctuation and space: what people put around a word to "strengthen" it.
bool IsAffix(char c) { return c >= 0x20 && c < 0x7f && !IsAsciiLetter(c); }

// True if `lower` is a common password with only affix characters before and after it.
bool IsDecoratedCommonPassword(const std::string& lower) {
  const std::string_view text = lower;
  const std::size_t n = text.size();
  std::size_t lead = 0;
  while (lead < n && IsAffix(text[lead])) ++lead;
  std::size_t trail = 0;
  while (trail < n && IsAffix(text[n - 1 - trail])) ++trail;
  const auto& common = CommonPasswords();
  // Every split "prefix | core | suffix" with affix-only prefix and suffix. For an affix-only
  // password any substring qualifies; at most 256 bytes, so at most ~33,000 lookups.
  for (std::size_t begin = 0; begin <= lead && begin < n; ++begin) {
    for (std::size_t end = n; end + trail >= n && end > begin; --end) {
      const std::string_view core = text.substr(begin, end - begin);
      bool has_letter = false;
      for (char c : core) has_letter = has_letter || IsAsciiLetter(c);
      const std::size_t min_size = has_letter ? kMinCoreWithLetters : kMinCoreWithoutLetters;
      if (core.size() >= min_size && common.contains(core)) return true;
    }
  }
  return false;
}

bool IsSingleRepeatedCharacter(const std::vector<char32_t>& code_points) {
  for (char32_t cp : code_points) {
    if (cp != code_points.front()) return false;
  }
  return true;
}

// True if every character of `lower` follows the previous one along one of kSequences, in
// one direction throughout.
bool IsSimpleSequence(std::string_view lower) {
  if (lower.size() < 2) return false;
  for (std::string_view sequence : kSequences) {
    for (int direction : {1, -1}) {
      bool follows = true;
      for (std::size_t i = 0; follows && i + 1 < lower.size(); ++i) {
        const std::size_t at = sequence.find(lower[i]);
        if (at == std::string_view::npos) {
          follows = false;
          break;
        }
        const std::size_t size = sequence.size();
        const std::size_t next = direction == 1 ? (at + 1) % size : (at + size - 1) % size;
        follows = lower[i + 1] == sequence[next];
      }
      if (follows) return true;
    }
  }
  return false;
}

base::Status Refuse(std::string message) {
  return base::Fail(ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

bool IsCommonPassword(std::string_view password) {
  return CommonPasswords().contains(base::ToLower(password));
}

base::Status CheckPasswordPolicy(std::string_view password, std::string_view username) {
  if (password.size() > kMaxPasswordBytes) {
    return Refuse("Password must be at most 256 bytes long.");
  }
  if (!base::IsValidUtf8(password)) return Refuse("Password must be valid UTF-8 text.");
  const std::vector<char32_t> code_points = CodePoints(password);
  for (char32_t cp : code_points) {
    if (IsControl(cp)) return Refuse("Password must not contain control characters.");
  }
  if (code_points.size() < kMinPasswordCodePoints) {
    return Refuse("Password must be at least 12 characters long.");
  }
  const std::string lower = base::ToLower(password);
  const std::string lower_username = base::ToLower(username);
  if (CodePoints(username).size() >= 3 && lower.find(lower_username) != std::string::npos) {
    return Refuse("Password must not contain the username.");
  }
  if (IsSingleRepeatedCharacter(code_points)) {
    return Refuse("Password must not be a single character repeated.");
  }
  if (IsSimpleSequence(lower)) {
    return Refuse("Password must not be a simple sequence of digits, letters or keyboard keys.");
  }
  if (IsCommonPassword(password) || IsDecoratedCommonPassword(lower)) {
    return Refuse("Password is too common (or a common password with a few characters added).");
  }
  return base::Ok();
}

}  // namespace camguard::auth
