// SPDX-License-Identifier: Apache-2.0
// The hub's front door: /api/... goes to the API handler, everything else is the web UI (one
// page, index.html, plus its files under /static/). Assets carry a strong ETag so browsers
// revalidate cheaply; the security headers (strict CSP: only this origin's scripts and styles,
// no inline code) are added by the transport to every response.
#pragma once

#include "http/message.h"

namespace camguard::web {

class Frontend final : public http::Handler {
 public:
  explicit Frontend(http::Handler& api) : api_(api) {}
  void Handle(http::Request request, http::Responder respond) override;
  void HandleUpgrade(http::Request request, http::UpgradeResponder respond) override;

 private:
  http::Handler& api_;
};

}  // namespace camguard::web
