// SPDX-License-Identifier: Apache-2.0
#include "auth/qr.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "auth/totp.h"
#include "test_support.h"

namespace camguard::auth {
namespace {

using camguard::testing::CommandResult;
using camguard::testing::RunCommand;
using camguard::testing::TempDir;

bool HaveProgram(const std::string& name) {
  return RunCommand("command -v " + name + " >/dev/null 2>&1").exit_code == 0;
}

void WriteFile(const std::filesystem::path& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

int ViewBoxSize(const std::string& svg) {
  std::smatch match;
  if (!std::regex_search(svg, match, std::regex("viewBox=\"0 0 ([0-9]+) ([0-9]+)\""))) return -1;
  if (match[1] != match[2]) return -2;
  return std::stoi(match[1]);
}

// Paints the modules the SVG draws into a bitmap, by reading the path data the way an SVG
// renderer would, restricted to the commands QrCodeSvg uses. Returns false on anything else.
bool Rasterize(const std::string& svg, int size, std::vector<std::vector<bool>>& dark) {
  dark.assign(static_cast<std::size_t>(size),
              std::vector<bool>(static_cast<std::size_t>(size), false));
  std::smatch path;
  if (!std::regex_search(svg, path, std::regex("<path fill=\"#000000\" d=\"([^\"]*)\"/>")))
    return false;
  const std::string d = path[1];
  const std::regex run("M([0-9]+),([0-9]+)h([0-9]+)v1h-([0-9]+)z");
  std::size_t consumed = 0;
  for (auto it = std::sregex_iterator(d.begin(), d.end(), run); it != std::sregex_iterator();
       ++it) {
    const std::smatch& m = *it;
    if (static_cast<std::size_t>(m.position(0)) != consumed || m[3] != m[4]) return false;
    consumed += static_cast<std::size_t>(m.length(0));
    const int x = std::stoi(m[1]), y = std::stoi(m[2]), width = std::stoi(m[3]);
    if (y >= size || x + width > size) return false;
    for (int i = x; i < x + width; ++i)
      dark[static_cast<std::size_t>(y)][static_cast<std::size_t>(i)] = true;
  }
  return consumed == d.size();
}

constexpr std::string_view kUri =
    "otpauth://totp/"
    "camguard:alice?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=camguard&algorithm=SHA1"
    "&digits=6&period=30";

TEST(QrCodeSvg, IsWellFormedSvgWithOnlyRectAndPathElements) {
  const auto svg = QrCodeSvg(kUri);
  ASSERT_TRUE(svg.has_value()) << svg.error().message;
  EXPECT_EQ(svg->rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  for (std::string_view forbidden :
       {"<script", "href", "<style", "<foreignObject", "<image", "on", "url("}) {
    // "on" catches event attributes (onload=...): no attribute or element name contains it.
    if (forbidden == "on") {
      EXPECT_FALSE(std::regex_search(*svg, std::regex("\\son[a-z]+="))) << *svg;
    } else {
      EXPECT_EQ(svg->find(forbidden), std::string::npos) << forbidden;
    }
  }
  std::set<std::string> elements;
  const std::regex tag("<([/]?)([A-Za-z][A-Za-z0-9:]*)");
  for (auto it = std::sregex_iterator(svg->begin(), svg->end(), tag); it != std::sregex_iterator();
       ++it) {
    elements.insert((*it)[2]);
  }
  EXPECT_EQ(elements, (std::set<std::string>{"svg", "rect", "path"}));

  // An independent XML parser must accept it and see the same elements.
  ASSERT_TRUE(HaveProgram("python3")) << "python3 is missing; run scripts/install-deps";
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  WriteFile(dir.path() / "code.svg", *svg);
  // Prints the distinct element names, without namespace, sorted.
  constexpr std::string_view kListElements =
      "import sys, xml.etree.ElementTree as E\n"
      "tags = {e.tag.split('}')[-1] for e in E.parse(sys.argv[1]).iter()}\n"
      "print(' '.join(sorted(tags)))\n";
  WriteFile(dir.path() / "list_elements.py", kListElements);
  const CommandResult parsed = RunCommand("python3 '" + (dir.path() / "list_elements.py").string() +
                                          "' '" + (dir.path() / "code.svg").string() + "' 2>&1");
  EXPECT_EQ(parsed.exit_code, 0) << parsed.output;
  EXPECT_EQ(parsed.output, "path rect svg\n");
}

TEST(QrCodeSvg, HasAFourModuleQuietZone) {
  const auto svg = QrCodeSvg(kUri);
  ASSERT_TRUE(svg.has_value());
  const int size = ViewBoxSize(*svg);
  ASSERT_GT(size, 8);
  std::vector<std::vector<bool>> dark;
  ASSERT_TRUE(Rasterize(*svg, size, dark));
  bool any_dark_inside = false;
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      const bool in_quiet_zone = x < 4 || y < 4 || x >= size - 4 || y >= size - 4;
      const bool is_dark = dark[static_cast<std::size_t>(y)][static_cast<std::size_t>(x)];
      if (in_quiet_zone) {
        EXPECT_FALSE(is_dark) << x << "," << y;
      }
      any_dark_inside = any_dark_inside || is_dark;
    }
  }
  EXPECT_TRUE(any_dark_inside);
  // The finder pattern's top-left corner module is dark (ISO/IEC 18004 §6.3.3).
  EXPECT_TRUE(dark[4][4]);
}

TEST(QrCodeSvg, GrowsWithTheInput) {
  const auto small = QrCodeSvg("otpauth://totp/a:b?secret=AB");
  const auto large = QrCodeSvg(std::string(kUri) + std::string(300, 'x'));
  ASSERT_TRUE(small.has_value() && large.has_value());
  // Version 1 is 21 modules, plus 2 * 4 quiet zone; every version adds 4 modules.
  EXPECT_GE(ViewBoxSize(*small), 29);
  EXPECT_GT(ViewBoxSize(*large), ViewBoxSize(*small));
  EXPECT_EQ((ViewBoxSize(*large) - 29) % 4, 0);
  EXPECT_GT(large->size(), small->size());
}

TEST(QrCodeSvg, RefusesEmptyOversizedAndNulText) {
  for (const std::string& bad :
       {std::string(), std::string(4000, 'a'), std::string("abc\0def", 7)}) {
    const auto svg = QrCodeSvg(bad);
    ASSERT_FALSE(svg.has_value()) << bad.size();
    EXPECT_EQ(svg.error().code, base::ErrorCode::kInvalidArgument);
  }
}

TEST(QrCodeSvg, DecodesBackToTheOtpauthUri) {
  // Optional cross-check with an independent decoder (zbar-tools), fed the bitmap the SVG
  // draws, 4 pixels per module, as a binary PGM.
  if (!HaveProgram("zbarimg")) GTEST_SKIP() << "zbarimg not installed";
  const std::string uri =
      totp::OtpauthUri("camguard Home", "alice@example.org", totp::GenerateSecret());
  const auto svg = QrCodeSvg(uri);
  ASSERT_TRUE(svg.has_value());
  const int size = ViewBoxSize(*svg);
  std::vector<std::vector<bool>> dark;
  ASSERT_TRUE(Rasterize(*svg, size, dark));
  constexpr int kScale = 4;
  const int pixels = size * kScale;
  std::string pgm = "P5\n" + std::to_string(pixels) + " " + std::to_string(pixels) + "\n255\n";
  for (int y = 0; y < pixels; ++y) {
    for (int x = 0; x < pixels; ++x) {
      const bool is_dark =
          dark[static_cast<std::size_t>(y / kScale)][static_cast<std::size_t>(x / kScale)];
      pgm += static_cast<char>(is_dark ? 0 : 255);
    }
  }
  TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  WriteFile(dir.path() / "code.pgm", pgm);
  // zbarimg's stderr carries unrelated chatter (it probes D-Bus); keep it for diagnostics only.
  const CommandResult decoded =
      RunCommand("zbarimg --quiet --raw '" + (dir.path() / "code.pgm").string() + "' 2>'" +
                 (dir.path() / "stderr").string() + "'");
  const std::string diagnostics =
      RunCommand("cat '" + (dir.path() / "stderr").string() + "'").output;
  ASSERT_EQ(decoded.exit_code, 0) << diagnostics;
  EXPECT_EQ(decoded.output, uri + "\n") << diagnostics;
}

}  // namespace
}  // namespace camguard::auth
