// SPDX-License-Identifier: Apache-2.0
#include "api/router.h"

#include "base/encoding.h"
#include "base/strings.h"

namespace camguard::api {

using base::ErrorCode;
using base::Fail;

base::Result<Target> ParseTarget(std::string_view raw) {
  if (raw.empty() || raw.front() != '/') {
    return Fail(ErrorCode::kInvalidArgument, "request target must be an absolute path");
  }
  if (raw.size() > 4096) return Fail(ErrorCode::kInvalidArgument, "request target is too long");
  if (raw.find('#') != std::string_view::npos) {
    return Fail(ErrorCode::kInvalidArgument, "request target must not contain a fragment");
  }
  const auto question = raw.find('?');
  const std::string_view raw_path = raw.substr(0, question);
  Target target;
  CAMGUARD_TRY(target.path, base::PercentDecode(raw_path, false));
  if (target.path.find('\0') != std::string::npos) {
    return Fail(ErrorCode::kInvalidArgument, "request path contains NUL");
  }
  for (std::string_view segment : base::Split(std::string_view(target.path).substr(1), '/')) {
    if (segment == "." || segment == "..") {
      return Fail(ErrorCode::kInvalidArgument, "request path contains dot segments");
    }
  }
  if (question != std::string_view::npos) {
    const std::string_view query = raw.substr(question + 1);
    if (!query.empty()) {
      for (std::string_view pair : base::Split(query, '&')) {
        if (pair.empty()) continue;
        const auto eq = pair.find('=');
        CAMGUARD_TRY(std::string key, base::PercentDecode(pair.substr(0, eq), true));
        std::string value;
        if (eq != std::string_view::npos) {
          CAMGUARD_TRY(value, base::PercentDecode(pair.substr(eq + 1), true));
        }
        target.query.emplace(std::move(key), std::move(value));
      }
    }
  }
  return target;
}

bool MatchPath(std::string_view pattern, std::string_view path,
               std::map<std::string, std::string>& params) {
  const auto pattern_parts = base::Split(pattern, '/');
  const auto path_parts = base::Split(path, '/');
  if (pattern_parts.size() != path_parts.size()) return false;
  std::map<std::string, std::string> found;
  for (std::size_t i = 0; i < pattern_parts.size(); ++i) {
    const std::string_view p = pattern_parts[i];
    if (p.size() > 2 && p.front() == '{' && p.back() == '}') {
      if (path_parts[i].empty()) return false;
      found.emplace(std::string(p.substr(1, p.size() - 2)), std::string(path_parts[i]));
    } else if (p != path_parts[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}

}  // namespace camguard::api
