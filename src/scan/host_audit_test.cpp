// SPDX-License-Identifier: Apache-2.0
// The host audit itself runs against camsim and small servers in tests/integration/test_audit.py;
// here, the URL reading that decides which addresses a camera's answers may send it to.
#include <gtest/gtest.h>

#include "scan/host_auditor.h"

namespace camguard::scan {
namespace {

TEST(ParseUrlTest, ReadsTheAddressesCamerasGive) {
  auto onvif = ParseUrl("http://192.168.1.20:8080/onvif/media_service");
  ASSERT_TRUE(onvif);
  EXPECT_EQ(onvif->scheme, "http");
  EXPECT_EQ(onvif->host, "192.168.1.20");
  EXPECT_EQ(onvif->port, 8080);
  EXPECT_EQ(onvif->path, "/onvif/media_service");

  auto snapshot = ParseUrl("HTTP://admin:pw@192.168.1.20/cgi-bin/snapshot.cgi?channel=1");
  ASSERT_TRUE(snapshot);
  EXPECT_EQ(snapshot->scheme, "http");
  EXPECT_EQ(snapshot->host, "192.168.1.20");
  EXPECT_EQ(snapshot->port, 80);
  EXPECT_EQ(snapshot->path, "/cgi-bin/snapshot.cgi?channel=1");

  auto bare = ParseUrl("https://cam.local?x=1");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->port, 443);
  EXPECT_EQ(bare->path, "/?x=1");
  EXPECT_EQ(ParseUrl("rtsp://10.0.0.2/main")->port, 554);
}

TEST(ParseUrlTest, RefusesWhatCouldSmuggleARequest) {
  for (const char* bad :
       {"", "/relative", "http://", "http://:80/", "http://h:0/", "http://h:99999/", "http://h:8x/",
        "http://h/a b", "http://h/a\r\nX: y", "verylongscheme://h/"}) {
    EXPECT_FALSE(ParseUrl(bad)) << bad;
  }
}

}  // namespace
}  // namespace camguard::scan
