// SPDX-License-Identifier: Apache-2.0
#include "auth/user_agent.h"

#include <random>

#include <gtest/gtest.h>

namespace camguard::auth {
namespace {

struct Case {
  std::string_view user_agent;
  std::string_view label;
};

TEST(DeviceLabel, NamesBrowserAndSystemOfRealUserAgents) {
  constexpr Case kCases[] = {
      {"Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/120.0.0.0 Mobile Safari/537.36",
       "Chrome on Android"},
      {"Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
       "Firefox on Linux"},
      {"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/115.0",
       "Firefox on Linux"},
      {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
       "like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
       "Safari on iPhone"},
      {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
       "Edge on Windows"},
      {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/120.0.0.0 Safari/537.36",
       "Chrome on Windows"},
      {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
       "Version/17.2 Safari/605.1.15",
       "Safari on macOS"},
      {"Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:121.0) Gecko/20100101 Firefox/121.0",
       "Firefox on macOS"},
      {"Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like "
       "Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1",
       "Chrome on iPhone"},
      {"Mozilla/5.0 (iPad; CPU OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
       "FxiOS/121.0 Mobile/15E148 Safari/605.1.15",
       "Firefox on iPad"},
      {"Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
       "SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
       "Samsung Internet on Android"},
      {"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/120.0.0.0 Mobile Safari/537.36 EdgA/120.0.2210.115",
       "Edge on Android"},
      {"Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0",
       "Firefox on Android"},
      {"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/120.0.0.0 Safari/537.36 OPR/106.0.0.0",
       "Opera on Windows"},
      {"Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
       "Chrome/120.0.0.0 Safari/537.36",
       "Chrome on ChromeOS"},
      {"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
       "Firefox on Windows"},
  };
  for (const Case& c : kCases) EXPECT_EQ(DeviceLabel(c.user_agent), c.label) << c.user_agent;
}

TEST(DeviceLabel, NamesCommandLineAndLibraryClients) {
  constexpr Case kCases[] = {
      {"curl/8.4.0", "curl"},
      {"curl/7.88.1", "curl"},
      {"python-requests/2.31.0", "Python client"},
      {"Python-urllib/3.11", "Python client"},
      {"Python/3.11 aiohttp/3.9.1", "Python client"},
      {"Wget/1.21.3", "Wget"},
      {"Go-http-client/1.1", "Go client"},
      {"Dalvik/2.1.0 (Linux; U; Android 13; Pixel 7 Build/TQ3A.230901.001)", "App on Android"},
  };
  for (const Case& c : kCases) EXPECT_EQ(DeviceLabel(c.user_agent), c.label) << c.user_agent;
}

TEST(DeviceLabel, FallsBackToUnknownDevice) {
  EXPECT_EQ(DeviceLabel(""), "Unknown device");
  EXPECT_EQ(DeviceLabel("   "), "Unknown device");
  EXPECT_EQ(DeviceLabel("Mozilla/5.0"), "Unknown device");
  EXPECT_EQ(DeviceLabel("<script>alert(1)</script>"), "Unknown device");
  EXPECT_EQ(DeviceLabel(std::string("\x00\xff\x1b[31m", 7)), "Unknown device");
  EXPECT_EQ(DeviceLabel("Mozilla/5.0 (X11; Linux x86_64) SomeBrowser/1.0"), "Browser on Linux");
}

TEST(DeviceLabel, IsShortPrintableAsciiForAnyInput) {
  std::mt19937 random(20261123);  // fixed seed: reproducible
  const std::string_view pieces[] = {
      "Mozilla/5.0 (", "Windows",   "iPhone", "Android", "Linux", "Chrome/1", "Safari/1",
      "Version/1",     "Firefox/1", "curl/1", "\xff",    "\n",    "\x7f",     " "};
  for (int round = 0; round < 2000; ++round) {
    std::string ua;
    const int count = static_cast<int>(random() % 12);
    for (int i = 0; i < count; ++i) {
      if (random() % 3 == 0) {
        ua += static_cast<char>(random() % 256);
      } else {
        ua += pieces[random() % std::size(pieces)];
      }
    }
    const std::string label = DeviceLabel(ua);
    ASSERT_FALSE(label.empty());
    ASSERT_LE(label.size(), 64u);
    for (char c : label) ASSERT_TRUE(c >= 0x20 && c < 0x7f) << label;
  }
  EXPECT_EQ(DeviceLabel(std::string(100000, 'A') + " curl/8.0"), "Unknown device");
}

}  // namespace
}  // namespace camguard::auth
