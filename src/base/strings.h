// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace camguard::base {

std::string_view Trim(std::string_view s);
std::string ToLower(std::string_view s);
std::vector<std::string_view> Split(std::string_view s, char separator);
bool IsValidUtf8(std::string_view s);

}  // namespace camguard::base
