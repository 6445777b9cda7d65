// SPDX-License-Identifier: Apache-2.0
// Fuzzes the whole request path above the transport: target parsing, routing, the setup gate,
// Origin/CSRF checks, cookie parsing, strict JSON body decoding and every handler, against an
// in-process hub (in-memory SQLite) with a signed-in owner.
//
// Input layout: byte 0 selects the method and whether the owner's cookie and CSRF token are sent;
// then the request target up to the first '\n'; then an optional "Cookie:" override line when byte
// 0 asks for it; the rest is the body.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "api/api_test_support.h"

namespace {

camguard::api::testing::TestHub& Hub() {
  // Destroyed at exit, which removes its temporary directory.
  static const std::unique_ptr<camguard::api::testing::TestHub> hub = [] {
    auto created = std::make_unique<camguard::api::testing::TestHub>(
        std::filesystem::temp_directory_path() /
        ("camguard-api-fuzz-" + std::to_string(::getpid())));
    created->SetUpOwner("owner", "correct horse battery staple");
    return created;
  }();
  return *hub;
}

std::optional<camguard::api::testing::TestHub::Login>& OwnerLogin() {
  static std::optional<camguard::api::testing::TestHub::Login> login =
      Hub().LogIn("owner", "correct horse battery staple");
  return login;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  static constexpr const char* kMethods[] = {"GET",    "POST", "PUT",     "PATCH",
                                             "DELETE", "HEAD", "OPTIONS", "TRACE"};
  const std::uint8_t selector = data[0];
  std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const auto newline = rest.find('\n');
  std::string target(rest.substr(0, newline));
  rest = newline == std::string_view::npos ? std::string_view() : rest.substr(newline + 1);

  std::optional<std::string> cookie;
  std::optional<std::string> csrf;
  auto& login = OwnerLogin();
  if ((selector & 0x08) != 0 && login) {
    cookie = login->cookie;
    csrf = login->csrf;
  }
  if ((selector & 0x10) != 0) {
    const auto line_end = rest.find('\n');
    cookie = std::string(rest.substr(0, line_end));
    rest = line_end == std::string_view::npos ? std::string_view() : rest.substr(line_end + 1);
  }
  (void)Hub().Send(kMethods[selector & 0x07], target, std::string(rest), cookie, csrf);
  // A password change or logout may end the owner's session; log in again for the next input.
  if (login && Hub().Send("GET", "/api/v1/me", "", login->cookie).status != 200) {
    login = Hub().LogIn("owner", "correct horse battery staple");
  }
  return 0;
}
