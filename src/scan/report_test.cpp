// SPDX-License-Identifier: Apache-2.0
#include "scan/report.h"

#include <regex>

#include <gtest/gtest.h>

#include "base/strings.h"

namespace camguard::scan {
namespace {

AuditReport Sample() {
  AuditReport report;
  report.tool_version = "0.1.0";
  report.options.targets = {"127.0.0.0/30"};
  report.options.ports = {554, 8080};
  report.options.timeout_ms = 2000;
  report.options.concurrency = 32;
  report.started_at = "2026-01-02T03:04:05.000Z";
  report.finished_at = "2026-01-02T03:04:06.000Z";
  report.duration_ms = 1000;
  report.addresses_scanned = 2;
  report.ports_probed = 4;
  CameraReport camera;
  camera.host.address = "127.0.0.1";
  camera.host.services.push_back(
      {554, Protocol::kRtsp, false, false, "Evil<script>alert(1)</script>\"'&"});
  camera.host.services.push_back({8080, Protocol::kHttp, false, true, ""});
  camera.host.checks_run = {std::string(check::kDefaultCredentials),
                            std::string(check::kUnencryptedVideo)};
  camera.host.findings.push_back({std::string(check::kDefaultCredentials), Severity::kCritical,
                                  "rtsp://127.0.0.1:554",
                                  "user 'admin' with password '<b>\x01\xff' accepted"});
  camera.host.findings.push_back({std::string(check::kUnencryptedVideo), Severity::kMedium,
                                  "rtsp://127.0.0.1:554", "plain RTSP"});
  camera.host.notes.push_back("a note");
  camera.verdict = Judge(camera.host);
  report.cameras.push_back(camera);
  return report;
}

TEST(ReportTest, JsonFollowsTheDocumentedSchema) {
  const std::string json = RenderJson(Sample());
  EXPECT_TRUE(base::IsValidUtf8(json));
  for (const char* key :
       {"\"schema_version\": 1", "\"tool\": \"camguard audit\"", "\"worst_severity\": \"critical\"",
        "\"exit_code\": 4", "\"stars\": 1", "\"stars_cap\": \"critical finding\"",
        "\"check\": \"default-credentials\"", "\"severity\": \"critical\"",
        "\"provisions\": [\"5.1-1\"]", "\"aspect\": \"attack-protection\"", "\"verdict\": \"fail\"",
        "\"network_testable\": false", "\"score\": null", "\"not_testable_over_network\"",
        "\"ports\": [554, 8080]", "\"onvif\": true", "\"url\": \"rtsp://127.0.0.1:554\"",
        "\"notes\": [\"a note\"]"}) {
    EXPECT_NE(json.find(key), std::string::npos) << key << "\n" << json;
  }
  // Control characters escaped, invalid UTF-8 replaced.
  EXPECT_NE(json.find("'<b>\\u0001\xEF\xBF\xBD' accepted"), std::string::npos) << json;
}

TEST(ReportTest, JsonQuoteEscapes) {
  EXPECT_EQ(JsonQuote("a\"b\\c\nd\te\x1f"), "\"a\\\"b\\\\c\\nd\\te\\u001f\"");
  EXPECT_EQ(JsonQuote("caf\xc3\xa9"), "\"caf\xc3\xa9\"");
  EXPECT_EQ(JsonQuote("\xc3"), "\"\xEF\xBF\xBD\"");
  EXPECT_EQ(JsonQuote("\xed\xa0\x80"), "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");  // surrogate
}

TEST(ReportTest, HtmlIsSelfContainedAndEscaped) {
  const std::string html = RenderHtml(Sample());
  EXPECT_TRUE(base::IsValidUtf8(html));
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("Evil&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;&amp;"),
            std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_NE(html.find("&lt;b&gt;"), std::string::npos);
  // No external resources: nothing is loaded from anywhere, and the page says so itself.
  EXPECT_NE(html.find("default-src 'none'"), std::string::npos);
  EXPECT_FALSE(std::regex_search(html, std::regex(R"((src|href)\s*=)", std::regex::icase)));
  EXPECT_FALSE(std::regex_search(html, std::regex(R"(url\()", std::regex::icase)));
  EXPECT_EQ(html.find("@import"), std::string::npos);
  EXPECT_NE(html.find("aria-label=\"1 of 5 stars\""), std::string::npos);
  EXPECT_NE(html.find("Set a long, unique password"), std::string::npos);  // the fix
  EXPECT_NE(html.find("5.11-1"), std::string::npos);                       // not testable list
}

TEST(ReportTest, SummaryReadsForNonExperts) {
  const std::string text = RenderSummary(Sample());
  EXPECT_NE(text.find("127.0.0.1  ★☆☆☆☆ 1/5  UNSAFE"), std::string::npos) << text;
  EXPECT_NE(text.find("CRITICAL A factory-default or common password is accepted"),
            std::string::npos);
  EXPECT_NE(text.find("fix:  Set a long, unique password"), std::string::npos);
  EXPECT_NE(text.find("Not testable over the network"), std::string::npos);
  EXPECT_NE(text.find("Worst finding: critical (exit code 4)."), std::string::npos);
  for (std::string_view line : base::Split(text, '\n')) {
    // Stars are three bytes each; everything else is ASCII apart from "→" and "…".
    EXPECT_LE(line.size(), 130u) << line;
  }
}

TEST(ReportTest, AnEmptyAuditStillRenders) {
  AuditReport report;
  report.addresses_scanned = 3;
  EXPECT_EQ(report.ExitCode(), 0);
  EXPECT_NE(RenderJson(report).find("\"cameras\": []"), std::string::npos);
  EXPECT_NE(RenderSummary(report).find("Worst finding: none (exit code 0)."), std::string::npos);
  EXPECT_NE(RenderHtml(report).find("0 cameras found"), std::string::npos);
}

}  // namespace
}  // namespace camguard::scan
