// SPDX-License-Identifier: Apache-2.0
// API errors: {"error": {"code", "message"}} with an HTTP status. ErrorCode → status is mapped
// here and nowhere else.
#pragma once

#include <string>

#include <tl/expected.hpp>

#include "base/result.h"
#include "http/message.h"

namespace camguard::api {

struct ApiError {
  int status = 500;
  std::string code;     // stable machine-readable code, see docs/api/openapi.yaml
  std::string message;  // for people; never contains secrets
};

template <typename T>
using ApiResult = tl::expected<T, ApiError>;

inline tl::unexpected<ApiError> Reject(int status, std::string code, std::string message) {
  return tl::unexpected<ApiError>(ApiError{status, std::move(code), std::move(message)});
}

int HttpStatusFor(base::ErrorCode code);
// Internal errors keep their detail out of the response (it goes to the log instead).
ApiError FromError(const base::Error& error);

http::Response JsonResponse(int status, std::string body);
http::Response ErrorResponse(const ApiError& error);

}  // namespace camguard::api
