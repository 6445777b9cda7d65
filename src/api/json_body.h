// SPDX-License-Identifier: Apache-2.0
// Strict decoding of JSON request bodies: the body must be one JSON object, every field must be
// declared with its type, unknown fields are refused (a typo never silently does nothing), and
// sizes and nesting are bounded.
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/errors.h"

namespace camguard::api {

enum class FieldType { kString, kBoolean, kInteger, kNumber, kArray };

struct Field {
  std::string_view name;
  FieldType type;
  bool required = true;
  std::size_t max_length = 1024;  // strings: bytes; arrays: elements
};

inline constexpr int kMaxJsonDepth = 16;

// Parses `body` and checks it against `fields`. Errors are 400 with code invalid_json,
// unknown_field or invalid_request naming the field.
ApiResult<nlohmann::json> DecodeObject(std::string_view body, std::initializer_list<Field> fields);

// Accessors for decoded objects (the fields were type-checked already).
std::optional<std::string> OptionalString(const nlohmann::json& object, std::string_view name);
std::string RequiredString(const nlohmann::json& object, std::string_view name);

}  // namespace camguard::api
