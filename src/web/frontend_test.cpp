// SPDX-License-Identifier: Apache-2.0
#include "web/frontend.h"

#include <gtest/gtest.h>

#include "web/assets.h"

namespace camguard::web {
namespace {

struct FakeApi final : http::Handler {
  void Handle(http::Request request, http::Responder respond) override {
    seen = request.target;
    http::Response response;
    response.status = 299;
    respond(std::move(response));
  }
  std::string seen;
};

http::Response Get(Frontend& frontend, std::string target,
                   std::vector<std::pair<std::string, std::string>> headers = {}) {
  http::Request request;
  request.method = "GET";
  request.target = std::move(target);
  for (auto& [name, value] : headers) request.headers[name] = value;
  http::Response out;
  frontend.Handle(std::move(request), [&](http::Response response) { out = std::move(response); });
  return out;
}

TEST(Frontend, ServesThePageAndItsFilesWithTypesAndETags) {
  FakeApi api;
  Frontend frontend(api);
  const auto page = Get(frontend, "/");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(*page.Header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("/static/app.js"), std::string::npos);
  EXPECT_EQ(page.body.find("<script>"), std::string::npos) << "no inline script";
  const auto script = Get(frontend, "/static/app.js");
  EXPECT_EQ(*script.Header("Content-Type"), "text/javascript; charset=utf-8");
  const std::string etag(*script.Header("ETag"));
  const auto again = Get(frontend, "/static/app.js", {{"if-none-match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
}

TEST(Frontend, ApiRequestsPassThroughAndNothingElseIsServed) {
  FakeApi api;
  Frontend frontend(api);
  EXPECT_EQ(Get(frontend, "/api/v1/me?x=1").status, 299);
  EXPECT_EQ(api.seen, "/api/v1/me?x=1");
  for (const char* target :
       {"/static/../CMakeLists.txt", "/static/.hidden", "/static/", "/static/sub/app.js",
        "/etc/passwd", "/index.php", "/static/nope.js"}) {
    const auto response = Get(frontend, target);
    EXPECT_EQ(response.status, 404) << target;
    EXPECT_EQ(*response.Header("Content-Type"), "application/json") << target;
  }
  http::Request post;
  post.method = "POST";
  post.target = "/";
  http::Response out;
  frontend.Handle(std::move(post), [&](http::Response response) { out = std::move(response); });
  EXPECT_EQ(out.status, 405);
}

TEST(Frontend, EveryEmbeddedFileHasAContentType) {
  for (const EmbeddedAsset& asset : AllAssets()) EXPECT_TRUE(ContentType(asset.name)) << asset.name;
}

}  // namespace
}  // namespace camguard::web
