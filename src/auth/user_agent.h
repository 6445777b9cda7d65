// SPDX-License-Identifier: Apache-2.0
// Human-readable device labels for the session list ("Firefox on Linux").
#pragma once

#include <string>
#include <string_view>

namespace camguard::auth {

// "Chrome on Android", "Firefox on Linux", "Safari on iPhone", "Edge on Windows", "curl",
// "Python client", ... or "Unknown device". The label is built only from a fixed vocabulary,
// never from the header's own text, so a crafted User-Agent cannot put arbitrary words in
// front of the user: at most 64 characters of printable ASCII.
std::string DeviceLabel(std::string_view user_agent);

}  // namespace camguard::auth
