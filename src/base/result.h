// SPDX-License-Identifier: Apache-2.0
// Error values with canonical codes. Parsers, adapters and services return Result<T>;
// exceptions never cross a module boundary.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace camguard::base {

// Closed set, modelled on the canonical gRPC codes. The API maps each one to an HTTP
// status in exactly one place (api/errors.cpp).
enum class ErrorCode {
  kInvalidArgument,
  kNotFound,
  kAlreadyExists,
  kUnauthenticated,
  kPermissionDenied,
  kResourceExhausted,
  kFailedPrecondition,
  kAborted,
  kUnavailable,
  kDeadlineExceeded,
  kCancelled,
  kDataLoss,
  kInternal,
};

std::string_view ToString(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;
};

template <typename T>
using Result = tl::expected<T, Error>;
using Status = Result<void>;

inline tl::unexpected<Error> Fail(ErrorCode code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

// Prepends context to an error ("reading config: <original>").
inline tl::unexpected<Error> Wrap(const Error& error, std::string_view context) {
  return tl::unexpected<Error>(Error{error.code, std::string(context) + ": " + error.message});
}

inline Status Ok() { return {}; }

}  // namespace camguard::base

// Assigns the value of a Result expression to `lhs` or returns its error.
#define CAMGUARD_TRY_CONCAT_INNER(a, b) a##b
#define CAMGUARD_TRY_CONCAT(a, b) CAMGUARD_TRY_CONCAT_INNER(a, b)
#define CAMGUARD_TRY(lhs, expr)                                                  \
  auto CAMGUARD_TRY_CONCAT(camguard_try_, __LINE__) = (expr);                    \
  if (!CAMGUARD_TRY_CONCAT(camguard_try_, __LINE__)) {                           \
    return tl::unexpected(CAMGUARD_TRY_CONCAT(camguard_try_, __LINE__).error()); \
  }                                                                              \
  lhs = std::move(*CAMGUARD_TRY_CONCAT(camguard_try_, __LINE__))
#define CAMGUARD_TRY_STATUS(expr)                      \
  do {                                                 \
    auto camguard_status_ = (expr);                    \
    if (!camguard_status_) {                           \
      return tl::unexpected(camguard_status_.error()); \
    }                                                  \
  } while (false)
