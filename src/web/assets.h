// SPDX-License-Identifier: Apache-2.0
// The web UI's files (web/), embedded at build time.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace camguard::web {

struct EmbeddedAsset {
  std::string_view name;  // file name in web/, e.g. "app.js"
  std::string_view content;
};

std::optional<EmbeddedAsset> FindAsset(std::string_view name);
std::vector<EmbeddedAsset> AllAssets();
// Content-Type by extension; nullopt for files the frontend does not serve.
std::optional<std::string_view> ContentType(std::string_view name);

}  // namespace camguard::web
