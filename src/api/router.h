// SPDX-License-Identifier: Apache-2.0
// Route table matching: "/api/v1/users/{id}" style patterns, exact segments otherwise.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace camguard::api {

struct Target {
  std::string path;                               // percent-decoded
  std::multimap<std::string, std::string> query;  // percent-decoded
};

// Splits and decodes a request-target. Rejects absolute-form, fragments, NUL, invalid escapes,
// dot segments and empty segments.
base::Result<Target> ParseTarget(std::string_view target);

// Matches `path` against `pattern`; fills `params` for {name} segments.
bool MatchPath(std::string_view pattern, std::string_view path,
               std::map<std::string, std::string>& params);

}  // namespace camguard::api
