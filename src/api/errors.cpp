// SPDX-License-Identifier: Apache-2.0
#include "api/errors.h"

#include <nlohmann/json.hpp>

namespace camguard::api {

using base::ErrorCode;

int HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kAlreadyExists: return 409;
    case ErrorCode::kUnauthenticated: return 401;
    case ErrorCode::kPermissionDenied: return 403;
    case ErrorCode::kResourceExhausted: return 429;
    case ErrorCode::kFailedPrecondition: return 409;
    case ErrorCode::kAborted: return 409;
    case ErrorCode::kUnavailable: return 503;
    case ErrorCode::kDeadlineExceeded: return 504;
    case ErrorCode::kCancelled: return 499;
    case ErrorCode::kDataLoss: return 500;
    case ErrorCode::kInternal: return 500;
  }
  return 500;
}

ApiError FromError(const base::Error& error) {
  const int status = HttpStatusFor(error.code);
  if (status >= 500) return ApiError{status, "internal", "internal error; see the hub's log"};
  std::string code(base::ToString(error.code));
  if (error.code == ErrorCode::kAlreadyExists || error.code == ErrorCode::kFailedPrecondition ||
      error.code == ErrorCode::kAborted) {
    code = "conflict";
  } else if (error.code == ErrorCode::kInvalidArgument) {
    code = "invalid_request";
  }
  return ApiError{status, code, error.message};
}

http::Response JsonResponse(int status, std::string body) {
  http::Response response;
  response.status = status;
  response.body = std::move(body);
  if (status != 204)
    response.SetHeader("Content-Type", "application/json");
  else
    response.body.clear();
  return response;
}

http::Response ErrorResponse(const ApiError& error) {
  const nlohmann::json body = {{"error", {{"code", error.code}, {"message", error.message}}}};
  // error_handler_t::replace: a message can never make serialization throw.
  return JsonResponse(error.status,
                      body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

}  // namespace camguard::api
