// SPDX-License-Identifier: Apache-2.0
// User-Agent strings are a history of browsers pretending to be each other: Chrome says
// "Safari", Edge says "Chrome" and "Safari", Android says "Linux", iOS says "Mac OS X". The
// tables below are therefore ordered, most specific token first.
#include "auth/user_agent.h"

#include <array>
#include <string_view>

#include "base/strings.h"

namespace camguard::auth {
namespace {

struct Rule {
  std::string_view token;  // lower case, matched anywhere in the lower-cased header
  std::string_view label;
};

// Programs that are not browsers; their label stands alone.
constexpr std::array kClients = {
    Rule{"curl/", "curl"},
    Rule{"wget/", "Wget"},
    Rule{"python-requests/", "Python client"},
    Rule{"python-urllib/", "Python client"},
    Rule{"python-httpx/", "Python client"},
    Rule{"aiohttp/", "Python client"},
    Rule{"python/", "Python client"},
    Rule{"go-http-client/", "Go client"},
    Rule{"okhttp/", "Android app"},
    Rule{"postmanruntime/", "Postman"},
    Rule{"home assistant/", "Home Assistant"},
    Rule{"homeassistant/", "Home Assistant"},
};

constexpr std::array kBrowsers = {
    Rule{"edg/", "Edge"},
    Rule{"edga/", "Edge"},
    Rule{"edgios/", "Edge"},
    Rule{"edge/", "Edge"},
    Rule{"opr/", "Opera"},
    Rule{"opera", "Opera"},
    Rule{"samsungbrowser/", "Samsung Internet"},
    Rule{"vivaldi/", "Vivaldi"},
    Rule{"yabrowser/", "Yandex Browser"},
    Rule{"firefox/", "Firefox"},
    Rule{"fxios/", "Firefox"},
    Rule{"crios/", "Chrome"},
    Rule{"chromium/", "Chromium"},
    Rule{"chrome/", "Chrome"},
    Rule{"version/", "Safari"},
    Rule{"msie ", "Internet Explorer"},
    Rule{"trident/", "Internet Explorer"},
};

constexpr std::array kSystems = {
    Rule{"iphone", "iPhone"},   Rule{"ipad", "iPad"},       Rule{"ipod", "iPod"},
    Rule{"android", "Android"}, Rule{"cros ", "ChromeOS"},  Rule{"windows phone", "Windows Phone"},
    Rule{"windows", "Windows"}, Rule{"macintosh", "macOS"}, Rule{"mac os x", "macOS"},
    Rule{"freebsd", "FreeBSD"}, Rule{"openbsd", "OpenBSD"}, Rule{"linux", "Linux"},
    Rule{"x11", "Linux"},
};

template <std::size_t N>
std::string_view FirstMatch(std::string_view haystack, const std::array<Rule, N>& rules) {
  for (const Rule& rule : rules) {
    if (haystack.find(rule.token) != std::string_view::npos) return rule.label;
  }
  return {};
}

}  // namespace

std::string DeviceLabel(std::string_view user_agent) {
  // Real headers are a few hundred bytes; the cap bounds the work on hostile ones.
  const std::string ua = base::ToLower(base::Trim(user_agent.substr(0, 1024)));
  if (const std::string_view client = FirstMatch(ua, kClients); !client.empty()) {
    return std::string(client);
  }
  const std::string_view system = FirstMatch(ua, kSystems);
  // Only agents that present themselves as browsers ("Mozilla/5.0 (...)", old "Opera/...")
  // get a browser label: tokens such as "version/" also occur in apps and libraries.
  const bool browser_like = ua.starts_with("mozilla/") || ua.starts_with("opera");
  if (!browser_like) return system.empty() ? "Unknown device" : "App on " + std::string(system);
  std::string_view browser = FirstMatch(ua, kBrowsers);
  // Safari is recognised by "Version/x Safari/y" together.
  if (browser == "Safari" && ua.find("safari/") == std::string::npos) browser = {};
  if (browser.empty() && system.empty()) return "Unknown device";
  if (browser.empty()) return "Browser on " + std::string(system);
  if (system.empty()) return std::string(browser);
  return std::string(browser) + " on " + std::string(system);
}

}  // namespace camguard::auth
