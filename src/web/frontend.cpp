// SPDX-License-Identifier: Apache-2.0
#include "web/frontend.h"

#include "base/encoding.h"
#include "crypto/crypto.h"
#include "web/assets.h"

namespace camguard::web {

namespace {
// Errors look like the API's everywhere, so a client never has to guess the format.
http::Response ErrorResponse(int status, std::string_view code, std::string_view message) {
  http::Response response;
  response.status = status;
  response.SetHeader("Content-Type", "application/json");
  response.body = std::string(R"({"error":{"code":")") + std::string(code) + R"(","message":")" +
                  std::string(message) + R"("}})";
  return response;
}

http::Response NotFound() { return ErrorResponse(404, "not_found", "no such resource"); }
}  // namespace

void Frontend::Handle(http::Request request, http::Responder respond) {
  const std::string_view target = request.target;
  const std::string_view path = target.substr(0, target.find('?'));
  if (path.starts_with("/api/") || path == "/api") {
    return api_.Handle(std::move(request), std::move(respond));
  }
  if (request.method != "GET" && request.method != "HEAD") {
    http::Response response = ErrorResponse(405, "method_not_allowed", "method not allowed here");
    response.SetHeader("Allow", "GET, HEAD");
    return respond(std::move(response));
  }
  std::string_view name;
  if (path == "/" || path == "/index.html") {
    name = "index.html";
  } else if (path.starts_with("/static/")) {
    name = path.substr(8);
    // Only flat names from web/: no directories, no dot files, no traversal.
    if (name.empty() || name.front() == '.' || name.find('/') != std::string_view::npos)
      return respond(NotFound());
  } else {
    return respond(NotFound());
  }
  const auto asset = FindAsset(name);
  const auto type = ContentType(name);
  if (!asset || !type) return respond(NotFound());
  const std::string etag =
      "\"" + base::HexEncode(crypto::Sha256(asset->content)).substr(0, 32) + "\"";
  http::Response response;
  response.SetHeader("ETag", etag);
  // Revalidate every time (a new hub version must not run old scripts), cheaply with the ETag.
  response.SetHeader("Cache-Control", "no-cache");
  if (request.Header("if-none-match") == etag) {
    response.status = 304;
    return respond(std::move(response));
  }
  response.status = 200;
  response.SetHeader("Content-Type", *type);
  response.body = std::string(asset->content);
  respond(std::move(response));
}

void Frontend::HandleUpgrade(http::Request request, http::UpgradeResponder respond) {
  api_.HandleUpgrade(std::move(request), std::move(respond));
}

}  // namespace camguard::web
