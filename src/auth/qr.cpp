// SPDX-License-Identifier: Apache-2.0
#include "auth/qr.h"

#include <qrencode.h>

#include <cerrno>
#include <memory>
#include <string>

#include <fmt/format.h>

namespace camguard::auth {
namespace {

constexpr int kQuietZone = 4;        // ISO/IEC 18004 minimum for QR codes
constexpr int kPixelsPerModule = 4;  // default display size; the SVG scales freely

struct QrCodeDeleter {
  void operator()(QRcode* code) const { QRcode_free(code); }
};

}  // namespace

base::Result<std::string> QrCodeSvg(std::string_view text) {
  if (text.empty()) return base::Fail(base::ErrorCode::kInvalidArgument, "QR code text is empty");
  if (text.find('\0') != std::string_view::npos) {
    return base::Fail(base::ErrorCode::kInvalidArgument, "QR code text contains a NUL byte");
  }
  const std::string terminated(text);
  errno = 0;
  // Version 0 lets libqrencode pick the smallest version that fits; QR_MODE_8 with case
  // sensitivity keeps the bytes exactly as given (the otpauth URI is case-sensitive).
  std::unique_ptr<QRcode, QrCodeDeleter> code(
      QRcode_encodeString(terminated.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  if (!code) {
    if (errno == ERANGE) {
      return base::Fail(base::ErrorCode::kInvalidArgument, "text is too long for a QR code");
    }
    return base::Fail(base::ErrorCode::kInternal, "QR code encoding failed");
  }

  const int modules = code->width + 2 * kQuietZone;
  std::string svg = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" viewBox=\"0 0 {0} {0}\" "
      "width=\"{1}\" height=\"{1}\" shape-rendering=\"crispEdges\">"
      "<rect x=\"0\" y=\"0\" width=\"{0}\" height=\"{0}\" fill=\"#ffffff\"/>"
      "<path fill=\"#000000\" d=\"",
      modules, modules * kPixelsPerModule);
  // One subpath per horizontal run of dark modules keeps the document small (a version-7 code
  // is about 1,500 modules, typically a few hundred runs).
  for (int y = 0; y < code->width; ++y) {
    const unsigned char* row = code->data + static_cast<std::ptrdiff_t>(y) * code->width;
    int x = 0;
    while (x < code->width) {
      if ((row[x] & 1) == 0) {
        ++x;
        continue;
      }
      const int start = x;
      while (x < code->width && (row[x] & 1) != 0) ++x;
      svg +=
          fmt::format("M{},{}h{}v1h-{}z", start + kQuietZone, y + kQuietZone, x - start, x - start);
    }
  }
  svg += "\"/></svg>\n";
  return svg;
}

}  // namespace camguard::auth
