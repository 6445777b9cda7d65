// SPDX-License-Identifier: Apache-2.0
// QR codes for TOTP enrollment, rendered as self-contained SVG.
#pragma once

#include <string>
#include <string_view>

#include "base/result.h"

namespace camguard::auth {

// Encodes `text` (ECC level M, quiet zone of 4 modules) as a standalone SVG document: one
// <svg> root with a white <rect> background and one black <path>; no scripts, styles, links
// or external references, so it can be served or inlined as is. InvalidArgument for empty
// text, text with NUL bytes, or text too long for any QR version.
base::Result<std::string> QrCodeSvg(std::string_view text);

}  // namespace camguard::auth
