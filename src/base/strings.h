// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace camguard::base {

std::string_view Trim(std::string_view s);
std::string ToLower(std::string_view s);
std::vector<std::string_view> Split(std::string_view s, char separator);

// Row ids stored as text: "1,5,9" and back. Parsing skips anything that is not a plain
// non-negative number.
std::string JoinIds(const std::set<std::int64_t>& ids);
std::set<std::int64_t> SplitIds(std::string_view text);
bool IsValidUtf8(std::string_view s);

}  // namespace camguard::base
