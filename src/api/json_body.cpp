// SPDX-License-Identifier: Apache-2.0
#include "api/json_body.h"

#include <fmt/format.h>

namespace camguard::api {

namespace {

// Nesting depth outside of strings; the parser itself is iterative, but a bound keeps memory
// and later recursive walks in check.
int MaxDepth(std::string_view text) {
  int depth = 0;
  int max_depth = 0;
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      max_depth = std::max(max_depth, ++depth);
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return max_depth;
}

std::string_view TypeName(FieldType type) {
  switch (type) {
    case FieldType::kString: return "a string";
    case FieldType::kBoolean: return "a boolean";
    case FieldType::kInteger: return "an integer";
    case FieldType::kNumber: return "a number";
    case FieldType::kArray: return "an array";
  }
  return "a value";
}

bool HasType(const nlohmann::json& value, FieldType type) {
  switch (type) {
    case FieldType::kString: return value.is_string();
    case FieldType::kBoolean: return value.is_boolean();
    case FieldType::kInteger: return value.is_number_integer();
    case FieldType::kNumber: return value.is_number();
    case FieldType::kArray: return value.is_array();
  }
  return false;
}

}  // namespace

ApiResult<nlohmann::json> DecodeObject(std::string_view body, std::initializer_list<Field> fields) {
  if (body.empty()) return Reject(400, "invalid_json", "the request needs a JSON object body");
  if (MaxDepth(body) > kMaxJsonDepth) {
    return Reject(400, "invalid_json",
                  fmt::format("JSON is nested deeper than {} levels", kMaxJsonDepth));
  }
  // No exceptions: a discarded value signals a syntax error (also for invalid UTF-8).
  nlohmann::json value = nlohmann::json::parse(body.begin(), body.end(), nullptr, false);
  if (value.is_discarded()) return Reject(400, "invalid_json", "the body is not valid JSON");
  if (!value.is_object()) return Reject(400, "invalid_json", "the body must be a JSON object");

  for (const auto& [key, field_value] : value.items()) {
    bool known = false;
    for (const Field& field : fields) known = known || field.name == key;
    if (!known) {
      return Reject(400, "unknown_field", fmt::format("unknown field '{}'", key.substr(0, 64)));
    }
    (void)field_value;
  }
  for (const Field& field : fields) {
    const auto it = value.find(std::string(field.name));
    if (it == value.end() || it->is_null()) {
      if (field.required) {
        return Reject(400, "invalid_request", fmt::format("field '{}' is required", field.name));
      }
      if (it != value.end()) value.erase(it);  // null counts as absent for optional fields
      continue;
    }
    if (!HasType(*it, field.type)) {
      return Reject(400, "invalid_request",
                    fmt::format("field '{}' must be {}", field.name, TypeName(field.type)));
    }
    if (field.type == FieldType::kString &&
        it->get_ref<const std::string&>().size() > field.max_length) {
      return Reject(
          400, "invalid_request",
          fmt::format("field '{}' is longer than {} bytes", field.name, field.max_length));
    }
    if (field.type == FieldType::kArray && it->size() > field.max_length) {
      return Reject(
          400, "invalid_request",
          fmt::format("field '{}' has more than {} elements", field.name, field.max_length));
    }
  }
  return value;
}

std::optional<std::string> OptionalString(const nlohmann::json& object, std::string_view name) {
  const auto it = object.find(std::string(name));
  if (it == object.end() || !it->is_string()) return std::nullopt;
  return it->get<std::string>();
}

std::string RequiredString(const nlohmann::json& object, std::string_view name) {
  return OptionalString(object, name).value_or(std::string());
}

}  // namespace camguard::api
