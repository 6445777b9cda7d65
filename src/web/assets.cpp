// SPDX-License-Identifier: Apache-2.0
#include "web/assets.h"

#include "web/assets_embedded.h"

namespace camguard::web {

std::optional<EmbeddedAsset> FindAsset(std::string_view name) {
  for (const EmbeddedAsset& asset : kEmbeddedAssets)
    if (asset.name == name) return asset;
  return std::nullopt;
}

std::vector<EmbeddedAsset> AllAssets() {
  return std::vector<EmbeddedAsset>(std::begin(kEmbeddedAssets), std::end(kEmbeddedAssets));
}

std::optional<std::string_view> ContentType(std::string_view name) {
  if (name.ends_with(".html")) return "text/html; charset=utf-8";
  if (name.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (name.ends_with(".css")) return "text/css; charset=utf-8";
  if (name.ends_with(".svg")) return "image/svg+xml";
  if (name.ends_with(".png")) return "image/png";
  if (name.ends_with(".webmanifest")) return "application/manifest+json";
  return std::nullopt;
}

}  // namespace camguard::web
