// SPDX-License-Identifier: Apache-2.0
#include "config/config.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace camguard::config {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

Config ParseOk(std::string_view text) {
  auto config = ParseConfig(text, "camguard.toml");
  EXPECT_TRUE(config.has_value()) << (config ? "" : config.error().message);
  return config ? *config : Config{};
}

// Returns the error message; fails the test if parsing succeeds or the code is wrong.
std::string ParseError(std::string_view text) {
  auto config = ParseConfig(text, "camguard.toml");
  EXPECT_FALSE(config.has_value()) << "parsed unexpectedly:\n" << text;
  if (config) return {};
  EXPECT_EQ(config.error().code, base::ErrorCode::kInvalidArgument);
  return config.error().message;
}

// --- defaults and the example -----------------------------------------------------------

TEST(ParseConfig, EmptyDocumentGivesDefaults) {
  const Config config = ParseOk("");
  EXPECT_EQ(config, Config{});
  EXPECT_EQ(config.listen_host, "0.0.0.0");
  EXPECT_EQ(config.listen_port, 8443);
  EXPECT_TRUE(config.server_names.empty());
  EXPECT_FALSE(config.tls_certificate.has_value());
  EXPECT_FALSE(config.tls_private_key.has_value());
  EXPECT_EQ(config.argon2_memory_kib, 65536u);
  EXPECT_EQ(config.argon2_iterations, 2u);
  EXPECT_FALSE(config.allow_weak_password_hashing);
  EXPECT_EQ(config.session_idle_timeout, std::chrono::hours(12));
  EXPECT_EQ(config.session_absolute_timeout, std::chrono::hours(7 * 24));
  EXPECT_EQ(config.throttle_free_failures, 5);
  EXPECT_EQ(config.throttle_max_delay, std::chrono::minutes(15));
  EXPECT_TRUE(config.allowed_origins.empty());
  EXPECT_EQ(config.log_level, "info");
  EXPECT_EQ(config.log_format, "text");
}

TEST(ParseConfig, EmptySectionsGiveDefaults) {
  EXPECT_EQ(ParseOk("[server]\n[tls]\n[security]\n[log]\n"), Config{});
}

TEST(ExampleConfig, ParsesToTheDefaults) {
  const std::string example = ExampleConfig();
  EXPECT_EQ(ParseOk(example), Config{});
}

TEST(ExampleConfig, DocumentsEverySectionAndKey) {
  const std::string example = ExampleConfig();
  for (const char* text :
       {"[server]", "listen =", "server_names =", "allowed_origins =", "[tls]", "certificate =",
        "private_key =", "[security]", "argon2_memory_kib =", "argon2_iterations =",
        "allow_weak_password_hashing =", "session_idle_timeout =", "session_absolute_timeout =",
        "login_free_failures =", "login_max_delay =", "[log]", "level =", "format =", "\"90s\""}) {
    EXPECT_THAT(example, HasSubstr(text));
  }
}

TEST(ExampleConfig, WithTlsLinesUncommentedSetsBothPaths) {
  std::string example = ExampleConfig();
  for (const std::string line : {"# certificate = ", "# private_key = "}) {
    const auto pos = example.find(line);
    ASSERT_NE(pos, std::string::npos);
    example.erase(pos, 2);
  }
  const Config config = ParseOk(example);
  EXPECT_EQ(config.tls_certificate, std::filesystem::path("/etc/camguard/tls/cert.pem"));
  EXPECT_EQ(config.tls_private_key, std::filesystem::path("/etc/camguard/tls/key.pem"));
}

// --- full document ----------------------------------------------------------------------

TEST(ParseConfig, ReadsEveryKey) {
  const Config config = ParseOk(R"(
[server]
listen = "[::1]:9443"
server_names = ["camguard.home.arpa", "Cams.Example.ORG"]
allowed_origins = ["https://cams.example.org", "HTTPS://Proxy.Example:8443", "https://h:443",
                   "https://[::1]:9443", "https://192.168.1.10"]

[tls]
certificate = "/etc/camguard/cert.pem"
private_key = "/etc/camguard/key.pem"

[security]
argon2_memory_kib = 131072
argon2_iterations = 3
allow_weak_password_hashing = false
session_idle_timeout = "30m"
session_absolute_timeout = "1d"
login_free_failures = 3
login_max_delay = "90s"

[log]
level = "debug"
format = "json"
)");
  EXPECT_EQ(config.listen_host, "::1");
  EXPECT_EQ(config.listen_port, 9443);
  EXPECT_EQ(config.server_names,
            (std::vector<std::string>{"camguard.home.arpa", "cams.example.org"}));
  EXPECT_EQ(config.allowed_origins,
            (std::vector<std::string>{"https://cams.example.org", "https://proxy.example:8443",
                                      "https://h", "https://[::1]:9443", "https://192.168.1.10"}));
  EXPECT_EQ(config.tls_certificate, std::filesystem::path("/etc/camguard/cert.pem"));
  EXPECT_EQ(config.tls_private_key, std::filesystem::path("/etc/camguard/key.pem"));
  EXPECT_EQ(config.argon2_memory_kib, 131072u);
  EXPECT_EQ(config.argon2_iterations, 3u);
  EXPECT_EQ(config.session_idle_timeout, std::chrono::minutes(30));
  EXPECT_EQ(config.session_absolute_timeout, std::chrono::hours(24));
  EXPECT_EQ(config.throttle_free_failures, 3);
  EXPECT_EQ(config.throttle_max_delay, std::chrono::seconds(90));
  EXPECT_EQ(config.log_level, "debug");
  EXPECT_EQ(config.log_format, "json");
}

TEST(ParseConfig, AcceptsDottedKeysAndInlineTables) {
  const Config config = ParseOk("server.listen = \"127.0.0.1:8000\"\nlog = { level = \"warn\" }\n");
  EXPECT_EQ(config.listen_host, "127.0.0.1");
  EXPECT_EQ(config.listen_port, 8000);
  EXPECT_EQ(config.log_level, "warn");
}

// --- syntax errors ----------------------------------------------------------------------

TEST(ParseConfig, SyntaxErrorNamesFileLineAndColumn) {
  const std::string message = ParseError("[server]\nlisten = \"0.0.0.0:1\"\n\n[log\n");
  EXPECT_THAT(message, StartsWith("camguard.toml:4:"));
}

TEST(ParseConfig, SyntaxErrorColumnPointsIntoTheLine) {
  // An unterminated string on line 2.
  const std::string message = ParseError("[log]\nlevel = \"info\n");
  EXPECT_THAT(message, StartsWith("camguard.toml:2:"));
  EXPECT_THAT(message, ::testing::MatchesRegex("camguard\\.toml:2:[0-9]+: .+"));
}

TEST(ParseConfig, DuplicateKeyIsASyntaxError) {
  EXPECT_THAT(ParseError("[log]\nlevel = \"info\"\nlevel = \"warn\"\n"),
              StartsWith("camguard.toml:3:"));
}

TEST(ParseConfig, InvalidUtf8IsAnError) {
  EXPECT_THAT(ParseError("[log]\nlevel = \"\xff\xfe\"\n"), StartsWith("camguard.toml:2:"));
}

TEST(ParseConfig, AcceptsNonAsciiInComments) {
  const Config config = ParseOk(
      "# Kamera im Flur \xe2\x80\x93 \xc3\xbc\n[log] # \xe2\x9c\x93 \xcc\xba\n"
      "level = \"warn\" # \xc2\xa7\n");
  EXPECT_EQ(config.log_level, "warn");
}

// toml++ 3.3 has undefined behaviour on some non-ASCII characters outside strings and after
// backslashes in multi-line strings (upstream #190, #295); they must never reach it.
TEST(ParseConfig, RefusesNonAsciiOutsideCommentsWithPosition) {
  EXPECT_THAT(ParseError("[log]\nlevel = \"\xc3\xafnfo\"\n"),
              StartsWith("camguard.toml:2:10: non-ASCII character outside a comment"));
  EXPECT_THAT(ParseError("484\xcc\xba"
                         "4o"),
              StartsWith("camguard.toml:1:4: non-ASCII"));
  EXPECT_THAT(ParseError(R"(s = """\)"
                         "\n\xc2\xa7\"\"\"\n"),
              StartsWith("camguard.toml:2:1: non-ASCII"));
  EXPECT_THAT(ParseError(R"(s = """\)"
                         "\xc2\xa7\"\"\"\n"),
              StartsWith("camguard.toml:1:9: non-ASCII"));
}

TEST(ParseConfig, NonAsciiScanTellsStringsFromComments) {
  // A '#' inside a string does not start a comment.
  EXPECT_THAT(ParseError("[tls]\ncertificate = \"/a#\xc3\xa9\"\n"),
              StartsWith("camguard.toml:2:19: non-ASCII"));
  EXPECT_THAT(ParseError(R"(a = "x\"# )"
                         "\xc3\xa9\"\n"),
              StartsWith("camguard.toml:1:11: non-ASCII"));
  EXPECT_THAT(ParseError("a = \"\"\"x\n# \xc3\xa9\"\"\"\n"),
              StartsWith("camguard.toml:2:3: non-ASCII"));
  EXPECT_THAT(ParseError("a = '''x\n''\n# \xc3\xa9'''\n"),
              StartsWith("camguard.toml:3:3: non-ASCII"));
  // Comments start again after a string ends, also after extra closing quotes, and a
  // backslash does not escape anything in a literal string.
  EXPECT_THAT(ParseError(R"(a = 'x\' # )"
                         "\xc3\xa9\n"),
              HasSubstr("key 'a': unknown section"));
  EXPECT_THAT(ParseError(R"(a = """x""""" # )"
                         "\xc3\xa9\n"),
              HasSubstr("key 'a': unknown section"));
  EXPECT_THAT(ParseError(R"(a = "\\" # )"
                         "\xc3\xa9\n"),
              HasSubstr("key 'a': unknown section"));
  EXPECT_THAT(ParseError(R"(a = '''x'''' # )"
                         "\xc3\xa9\n"),
              HasSubstr("key 'a': unknown section"));
}

TEST(ParseConfig, UsesTheGivenSourceName) {
  auto config = ParseConfig("[[", "/etc/camguard/camguard.toml");
  ASSERT_FALSE(config.has_value());
  EXPECT_THAT(config.error().message, StartsWith("/etc/camguard/camguard.toml:1:"));
}

TEST(ParseConfig, RefusesDocumentsLargerThanOneMiB) {
  const std::string big(kMaxConfigBytes + 1, '#');
  EXPECT_THAT(ParseError(big), HasSubstr("larger than"));
  // Exactly at the limit is fine (a comment).
  std::string at_limit(kMaxConfigBytes, ' ');
  at_limit[0] = '#';
  EXPECT_EQ(ParseOk(at_limit), Config{});
}

// --- unknown keys and sections ----------------------------------------------------------

TEST(ParseConfig, RefusesUnknownSection) {
  const std::string message = ParseError("[sever]\nlisten = \"0.0.0.0:1\"\n");
  EXPECT_THAT(message, StartsWith("camguard.toml: key 'sever': unknown section"));
  EXPECT_THAT(message, HasSubstr("(line 1)"));
}

TEST(ParseConfig, RefusesUnknownKeyInEachSection) {
  EXPECT_THAT(ParseError("[server]\nlisen = \"0.0.0.0:1\"\n"),
              StartsWith("camguard.toml: key 'server.lisen': unknown key"));
  EXPECT_THAT(ParseError("[tls]\ncert = \"/a\"\n"),
              StartsWith("camguard.toml: key 'tls.cert': unknown key"));
  EXPECT_THAT(ParseError("[security]\nargon2_memory = 65536\n"),
              StartsWith("camguard.toml: key 'security.argon2_memory': unknown key"));
  EXPECT_THAT(ParseError("[log]\nlevel = \"info\"\nfile = \"/tmp/x\"\n"),
              StartsWith("camguard.toml: key 'log.file': unknown key"));
}

TEST(ParseConfig, UnknownKeyMessageListsTheKnownKeysAndLine) {
  const std::string message = ParseError("[log]\n\nlevl = \"info\"\n");
  EXPECT_THAT(message, HasSubstr("expected level or format"));
  EXPECT_THAT(message, HasSubstr("(line 3)"));
}

TEST(ParseConfig, RefusesUnknownTopLevelKey) {
  EXPECT_THAT(ParseError("listen = \"0.0.0.0:1\"\n"),
              StartsWith("camguard.toml: key 'listen': unknown section"));
}

TEST(ParseConfig, RefusesNestedTableInsideASection) {
  EXPECT_THAT(ParseError("[server.extra]\nx = 1\n"),
              StartsWith("camguard.toml: key 'server.extra': unknown key"));
}

TEST(ParseConfig, QuotesStrangeKeysInMessages) {
  const std::string message = ParseError("[log]\n\"le vel\\u0001\" = 1\n");
  EXPECT_THAT(message, HasSubstr("key 'log.\"le vel\\x01\"'"));
}

// --- type errors ------------------------------------------------------------------------

TEST(ParseConfig, RefusesSectionThatIsNotATable) {
  EXPECT_THAT(ParseError("server = 5\n"),
              StartsWith("camguard.toml: key 'server': expected a table, got an integer"));
  EXPECT_THAT(ParseError("[[log]]\nlevel = \"info\"\n"),
              StartsWith("camguard.toml: key 'log': expected a table, got an array"));
}

TEST(ParseConfig, RefusesWrongTypes) {
  EXPECT_THAT(ParseError("[server]\nlisten = 8443\n"),
              HasSubstr("key 'server.listen': expected a string, got an integer"));
  EXPECT_THAT(ParseError("[server]\nserver_names = \"a.example\"\n"),
              HasSubstr("key 'server.server_names': expected an array of strings, got a string"));
  EXPECT_THAT(ParseError("[server]\nallowed_origins = [\"https://a\", 1]\n"),
              HasSubstr("key 'server.allowed_origins': expected an array of strings, found an "
                        "integer"));
  EXPECT_THAT(ParseError("[tls]\ncertificate = true\nprivate_key = \"/k\"\n"),
              HasSubstr("key 'tls.certificate': expected a string, got a boolean"));
  EXPECT_THAT(ParseError("[security]\nargon2_memory_kib = \"65536\"\n"),
              HasSubstr("key 'security.argon2_memory_kib': expected an integer, got a string"));
  EXPECT_THAT(ParseError("[security]\nargon2_iterations = 2.0\n"),
              HasSubstr("key 'security.argon2_iterations': expected an integer, got a float"));
  EXPECT_THAT(ParseError("[security]\nallow_weak_password_hashing = \"true\"\n"),
              HasSubstr("expected true or false, got a string"));
  EXPECT_THAT(ParseError("[security]\nallow_weak_password_hashing = 1\n"),
              HasSubstr("expected true or false, got an integer"));
  EXPECT_THAT(ParseError("[security]\nsession_idle_timeout = 3600\n"),
              HasSubstr("key 'security.session_idle_timeout': expected a string, got an integer"));
  EXPECT_THAT(ParseError("[security]\nlogin_max_delay = 00:15:00\n"),
              HasSubstr("key 'security.login_max_delay': expected a string, got a time"));
  EXPECT_THAT(ParseError("[security]\nlogin_free_failures = \"5\"\n"),
              HasSubstr("expected an integer, got a string"));
  EXPECT_THAT(ParseError("[log]\nlevel = [\"info\"]\n"),
              HasSubstr("key 'log.level': expected a string, got an array"));
}

// --- server.listen and ApplyListenFlag --------------------------------------------------

TEST(ApplyListenFlag, AcceptsIpv4IPv6AndHostNames) {
  Config config;
  ASSERT_TRUE(ApplyListenFlag(config, "127.0.0.1:8443"));
  EXPECT_EQ(config.listen_host, "127.0.0.1");
  EXPECT_EQ(config.listen_port, 8443);

  ASSERT_TRUE(ApplyListenFlag(config, "[::1]:9000"));
  EXPECT_EQ(config.listen_host, "::1");
  EXPECT_EQ(config.listen_port, 9000);

  ASSERT_TRUE(ApplyListenFlag(config, "localhost:8443"));
  EXPECT_EQ(config.listen_host, "localhost");
  EXPECT_EQ(config.listen_port, 8443);

  ASSERT_TRUE(ApplyListenFlag(config, "[::]:1"));
  EXPECT_EQ(config.listen_host, "::");
  EXPECT_EQ(config.listen_port, 1);

  ASSERT_TRUE(ApplyListenFlag(config, "cam-hub.home.arpa:65535"));
  EXPECT_EQ(config.listen_host, "cam-hub.home.arpa");
  EXPECT_EQ(config.listen_port, 65535);
}

TEST(ApplyListenFlag, PortZeroAsksForAnEphemeralPort) {
  Config config;
  ASSERT_TRUE(ApplyListenFlag(config, "127.0.0.1:0"));
  EXPECT_EQ(config.listen_host, "127.0.0.1");
  EXPECT_EQ(config.listen_port, 0);
}

TEST(ApplyListenFlag, RefusesMalformedAddressesAndLeavesConfigUnchanged) {
  struct Case {
    const char* listen;
    const char* why;
  };
  for (const Case& c : {
           Case{"1.2.3.4", "missing ':PORT'"},
           Case{":80", "missing address"},
           Case{"x:99999", "port 99999 is not a number from 1 to 65535"},
           Case{"x:65536", "port 65536 is not a number from 1 to 65535"},
           Case{"x:", "missing port"},
           Case{"x:-1", "is not a number"},
           Case{"x:+80", "is not a number"},
           Case{"x:80a", "is not a number"},
           Case{"", "missing"},
           Case{"::1:8443", "must be written in brackets"},
           Case{"[::1]", "missing ':PORT'"},
           Case{"[::1]8443", "unexpected"},
           Case{"[::1:8443", "missing ']'"},
           Case{"[127.0.0.1]:80", "is not an IPv6 address"},
           Case{"1.2.3.256:80", "neither an IPv4 address nor a host name"},
           Case{"1.2.3:80", "neither an IPv4 address nor a host name"},
           Case{"01.2.3.4:80", "neither an IPv4 address nor a host name"},
           Case{"bad_host:80", "neither an IPv4 address nor a host name"},
           Case{"-bad.example:80", "neither an IPv4 address nor a host name"},
           Case{"a..b:80", "neither an IPv4 address nor a host name"},
           Case{"host name:80", "neither an IPv4 address nor a host name"},
       }) {
    Config config;
    const base::Status status = ApplyListenFlag(config, c.listen);
    ASSERT_FALSE(status.has_value()) << c.listen;
    EXPECT_EQ(status.error().code, base::ErrorCode::kInvalidArgument);
    EXPECT_THAT(status.error().message, HasSubstr(c.why)) << c.listen;
    EXPECT_THAT(status.error().message, HasSubstr("expected ADDR:PORT")) << c.listen;
    EXPECT_EQ(config, Config{}) << c.listen;
  }
}

TEST(ParseConfig, ServerListenUsesTheListenSyntax) {
  const Config config = ParseOk("[server]\nlisten = \"192.168.0.2:443\"\n");
  EXPECT_EQ(config.listen_host, "192.168.0.2");
  EXPECT_EQ(config.listen_port, 443);
  EXPECT_THAT(ParseError("[server]\nlisten = \"0.0.0.0:0\"\n"),
              HasSubstr("key 'server.listen': listen address \"0.0.0.0:0\": port 0 is not a "
                        "number from 1 to 65535"));
  EXPECT_THAT(ParseError("[server]\nlisten = \"0.0.0.0\"\n"), HasSubstr("missing ':PORT'"));
}

// --- server_names -----------------------------------------------------------------------

TEST(ParseConfig, ServerNamesMustBeDnsNames) {
  EXPECT_EQ(ParseOk("[server]\nserver_names = [\"a\", \"x-1.y\", \"1a.example\"]\n").server_names,
            (std::vector<std::string>{"a", "x-1.y", "1a.example"}));
  const std::string label63(63, 'a');
  EXPECT_EQ(ParseOk("[server]\nserver_names = [\"" + label63 + ".example\"]\n").server_names.size(),
            1u);
  for (const std::string& bad : std::vector<std::string>{
           "", "-a.example", "a-.example", "a..example", ".example", "example.", "a_b.example",
           "a b", "*.example", "1.2.3.4", "example.123", "caf\\u00e9.example",
           std::string(64, 'a') + ".example"}) {
    EXPECT_THAT(ParseError("[server]\nserver_names = [\"" + bad + "\"]\n"),
                HasSubstr("is not a valid DNS name"))
        << bad;
  }
  // 253 characters is the maximum length of a name.
  std::string long_name;
  while (long_name.size() < 250) long_name += "abcdefghi.";
  long_name += "abc";
  ASSERT_EQ(long_name.size(), 253u);
  EXPECT_EQ(ParseOk("[server]\nserver_names = [\"" + long_name + "\"]\n").server_names.size(), 1u);
  EXPECT_THAT(ParseError("[server]\nserver_names = [\"" + long_name + "d\"]\n"),
              HasSubstr("is not a valid DNS name"));
}

TEST(ParseConfig, ServerNamesRefuseDuplicatesIgnoringCase) {
  EXPECT_THAT(ParseError("[server]\nserver_names = [\"a.example\", \"A.Example\"]\n"),
              HasSubstr("\"A.Example\" is listed twice"));
}

TEST(ParseConfig, SemanticErrorNamesTheLineOfTheArrayElement) {
  EXPECT_THAT(ParseError("[server]\nserver_names = [\n  \"ok.example\",\n  \"bad_name\",\n]\n"),
              HasSubstr("(line 4)"));
}

// --- allowed_origins --------------------------------------------------------------------

TEST(ParseConfig, AllowedOriginsMustBeHttpsHostPort) {
  for (const std::string bad :
       {"http://a.example", "a.example", "https://", "https://a.example/", "https://a.example/path",
        "https://a.example?x", "https://a.example#f", "https://user@a.example",
        "https://a.example:0", "https://a.example:70000",
        "https://a.example:", "https://a_b.example", "https://::1", "https://[::1",
        "https://[zz]:1", "wss://a.example", "null"}) {
    const std::string message = ParseError("[server]\nallowed_origins = [\"" + bad + "\"]\n");
    EXPECT_THAT(message, HasSubstr("key 'server.allowed_origins'")) << bad;
  }
}

TEST(ParseConfig, AllowedOriginsAreNormalizedLikeBrowsersSerializeThem) {
  EXPECT_EQ(ParseOk("[server]\nallowed_origins = [\"HTTPS://A.Example:443\"]\n").allowed_origins,
            std::vector<std::string>{"https://a.example"});
  EXPECT_THAT(
      ParseError(
          "[server]\nallowed_origins = [\"https://a.example\", \"https://a.example:443\"]\n"),
      HasSubstr("is listed twice"));
}

// --- tls --------------------------------------------------------------------------------

TEST(ParseConfig, TlsNeedsBothOrNeither) {
  EXPECT_THAT(ParseError("[tls]\ncertificate = \"/c.pem\"\n"),
              StartsWith("camguard.toml: key 'tls.private_key': missing"));
  EXPECT_THAT(ParseError("[tls]\nprivate_key = \"/k.pem\"\n"),
              StartsWith("camguard.toml: key 'tls.certificate': missing"));
  const Config both = ParseOk("[tls]\ncertificate = \"/c.pem\"\nprivate_key = \"/k.pem\"\n");
  EXPECT_EQ(both.tls_certificate, std::filesystem::path("/c.pem"));
  EXPECT_EQ(both.tls_private_key, std::filesystem::path("/k.pem"));
}

TEST(ParseConfig, TlsPathsMustBeAbsolute) {
  EXPECT_THAT(ParseError("[tls]\ncertificate = \"cert.pem\"\nprivate_key = \"/k.pem\"\n"),
              HasSubstr("key 'tls.certificate': \"cert.pem\" is not an absolute path"));
  EXPECT_THAT(ParseError("[tls]\ncertificate = \"/c.pem\"\nprivate_key = \"\"\n"),
              HasSubstr("key 'tls.private_key': \"\" is not an absolute path"));
  EXPECT_THAT(ParseError("[tls]\ncertificate = \"/c\\u0000.pem\"\nprivate_key = \"/k\"\n"),
              HasSubstr("cannot contain NUL"));
}

// --- recording --------------------------------------------------------------------------

TEST(ParseConfig, RecordingSettingsAreReadAndBounded) {
  const Config config = ParseOk(
      "[recording]\ndirectory = \"/srv/cams\"\nencrypt = false\nsegment_length = \"5m\"\n"
      "disk_budget_gib = 500\nmin_free_percent = 10\nstall_timeout = \"20s\"\n"
      "reconnect_max_delay = \"2m\"\n");
  EXPECT_EQ(config.recordings_directory, std::filesystem::path("/srv/cams"));
  EXPECT_FALSE(config.encrypt_recordings);
  EXPECT_EQ(config.segment_length, std::chrono::minutes(5));
  EXPECT_EQ(config.disk_budget_gib, 500u);
  EXPECT_EQ(config.min_free_percent, 10);
  EXPECT_EQ(config.stall_timeout, std::chrono::seconds(20));
  EXPECT_EQ(config.reconnect_max_delay, std::chrono::minutes(2));
}

TEST(ParseConfig, WatchSettingsAreReadAndBounded) {
  const Config config = ParseOk("[watch]\npoll_interval = \"2s\"\nconfig_interval = \"5m\"\n");
  EXPECT_EQ(config.watch_poll_interval, std::chrono::seconds(2));
  EXPECT_EQ(config.watch_config_interval, std::chrono::minutes(5));
  EXPECT_EQ(ParseOk("[watch]\ntamper_interval = \"0s\"\n").tamper_interval,
            std::chrono::seconds(0));
  EXPECT_THAT(ParseError("[watch]\ntamper_interval = \"2h\"\n"),
              HasSubstr("watch.tamper_interval"));
  EXPECT_THAT(ParseError("[watch]\nconfig_interval = \"1s\"\n"),
              HasSubstr("watch.config_interval"));
  EXPECT_THAT(ParseError("[watch]\npoll_every = \"1s\"\n"), HasSubstr("poll_every"));

  EXPECT_THAT(ParseError("[recording]\nsegment_length = \"5s\"\n"),
              HasSubstr("key 'recording.segment_length'"));
  EXPECT_THAT(ParseError("[recording]\nmin_free_percent = 51\n"),
              HasSubstr("key 'recording.min_free_percent': 51 is out of range 0..50"));
  EXPECT_THAT(ParseError("[recording]\ndirectory = \"recordings\"\n"),
              HasSubstr("is not an absolute path"));
  EXPECT_THAT(ParseError("[recording]\nencrypted = true\n"),
              HasSubstr("key 'recording.encrypted': unknown key"));
}

TEST(ParseConfig, MqttSettingsAreReadAndTopicLevelsChecked) {
  const Config config = ParseOk(
      "[mqtt]\nenabled = true\nbroker = \"broker.home.arpa:8883\"\nusername = \"cg\"\n"
      "password_file = \"/etc/camguard/mqtt\"\ntls_ca_file = \"/etc/ssl/ca.pem\"\n"
      "hub_id = \"garage-hub\"\n");
  EXPECT_TRUE(config.mqtt_enabled);
  EXPECT_EQ(config.mqtt_host, "broker.home.arpa");
  EXPECT_EQ(config.mqtt_port, 8883);
  EXPECT_EQ(config.mqtt_password_file, std::filesystem::path("/etc/camguard/mqtt"));
  EXPECT_EQ(config.mqtt_hub_id, "garage-hub");
  EXPECT_THAT(ParseError("[mqtt]\nbase_topic = \"a/#\"\n"),
              HasSubstr("key 'mqtt.base_topic': \"a/#\" must be 1 to 64 letters"));
  EXPECT_THAT(ParseError("[mqtt]\nbroker = \"nohost\"\n"),
              HasSubstr("key 'mqtt.broker': \"nohost\" is not HOST:PORT"));
  EXPECT_THAT(ParseError("[mqtt]\npassword = \"x\"\n"), HasSubstr("unknown key"));
}

// --- security ---------------------------------------------------------------------------

TEST(ParseConfig, Argon2FloorsApplyWithoutWeakHashing) {
  EXPECT_THAT(ParseError("[security]\nargon2_memory_kib = 65535\n"),
              HasSubstr("key 'security.argon2_memory_kib': 65535 is below the minimum 65536 "
                        "(allow_weak_password_hashing = true lowers it"));
  EXPECT_THAT(ParseError("[security]\nargon2_iterations = 1\n"),
              HasSubstr("key 'security.argon2_iterations': 1 is below the minimum 2"));
  EXPECT_EQ(ParseOk("[security]\nargon2_memory_kib = 65536\nargon2_iterations = 2\n"), Config{});
}

TEST(ParseConfig, WeakHashingLowersTheFloorsWhereverTheFlagAppears) {
  // The flag after the values it unlocks.
  const Config config = ParseOk(
      "[security]\nargon2_memory_kib = 8\nargon2_iterations = 1\n"
      "allow_weak_password_hashing = true\n");
  EXPECT_EQ(config.argon2_memory_kib, 8u);
  EXPECT_EQ(config.argon2_iterations, 1u);
  EXPECT_TRUE(config.allow_weak_password_hashing);
  EXPECT_THAT(ParseError("[security]\nallow_weak_password_hashing = true\nargon2_memory_kib = 7\n"),
              HasSubstr("7 is below the minimum 8"));
  EXPECT_THAT(ParseError("[security]\nallow_weak_password_hashing = true\nargon2_iterations = 0\n"),
              HasSubstr("out of range 1.."));
  EXPECT_THAT(
      ParseError("[security]\nallow_weak_password_hashing = false\nargon2_memory_kib = 8\n"),
      HasSubstr("below the minimum 65536"));
}

TEST(ParseConfig, Argon2MemoryIsAtMostFourGiB) {
  EXPECT_EQ(ParseOk("[security]\nargon2_memory_kib = 4194304\n").argon2_memory_kib, 4194304u);
  EXPECT_THAT(ParseError("[security]\nargon2_memory_kib = 4194305\n"),
              HasSubstr("4194305 is out of range 1..4194304"));
  EXPECT_THAT(ParseError("[security]\nargon2_memory_kib = -1\n"), HasSubstr("out of range"));
}

TEST(ParseConfig, Argon2IterationsMustFitThirtyTwoBits) {
  EXPECT_EQ(ParseOk("[security]\nargon2_iterations = 4294967295\n").argon2_iterations, 4294967295u);
  EXPECT_THAT(ParseError("[security]\nargon2_iterations = 4294967296\n"),
              HasSubstr("out of range"));
}

TEST(ParseConfig, DurationsUseOneUnit) {
  const Config config = ParseOk(
      "[security]\nsession_idle_timeout = \"90s\"\nsession_absolute_timeout = \"2h\"\n"
      "login_max_delay = \"1m\"\n");
  EXPECT_EQ(config.session_idle_timeout, std::chrono::seconds(90));
  EXPECT_EQ(config.session_absolute_timeout, std::chrono::hours(2));
  EXPECT_EQ(config.throttle_max_delay, std::chrono::minutes(1));
  for (const char* bad :
       {"", "s", "15", "15 m", "1h30m", "-5m", "+5m", "1.5h", "15M", "5w", "1000000000s", " 15m"}) {
    EXPECT_THAT(ParseError(std::string("[security]\nlogin_max_delay = \"") + bad + "\"\n"),
                HasSubstr("is not a duration like"))
        << bad;
  }
}

TEST(ParseConfig, SessionTimeoutsAreAtLeastOneMinute) {
  EXPECT_THAT(ParseError("[security]\nsession_idle_timeout = \"59s\"\n"),
              HasSubstr("key 'security.session_idle_timeout': \"59s\" is out of range 1m..365d"));
  EXPECT_THAT(ParseError("[security]\nsession_absolute_timeout = \"0s\"\n"),
              HasSubstr("key 'security.session_absolute_timeout'"));
  EXPECT_THAT(ParseError("[security]\nsession_absolute_timeout = \"366d\"\n"),
              HasSubstr("out of range"));
  EXPECT_EQ(ParseOk("[security]\nsession_idle_timeout = \"60s\"\n").session_idle_timeout,
            std::chrono::minutes(1));
}

TEST(ParseConfig, IdleTimeoutMustNotExceedAbsoluteTimeout) {
  EXPECT_THAT(ParseError("[security]\nsession_idle_timeout = \"8d\"\n"),
              HasSubstr("key 'security.session_idle_timeout': session_idle_timeout (8d) must "
                        "not exceed session_absolute_timeout (7d)"));
  // Only the absolute timeout set: the message blames it.
  EXPECT_THAT(ParseError("[security]\nsession_absolute_timeout = \"1h\"\n"),
              HasSubstr("key 'security.session_absolute_timeout': session_idle_timeout (12h)"));
  const Config equal =
      ParseOk("[security]\nsession_idle_timeout = \"1h\"\nsession_absolute_timeout = \"60m\"\n");
  EXPECT_EQ(equal.session_idle_timeout, equal.session_absolute_timeout);
}

TEST(ParseConfig, LoginThrottleRanges) {
  EXPECT_EQ(ParseOk("[security]\nlogin_free_failures = 0\n").throttle_free_failures, 0);
  EXPECT_THAT(ParseError("[security]\nlogin_free_failures = -1\n"), HasSubstr("out of range"));
  EXPECT_THAT(ParseError("[security]\nlogin_free_failures = 1001\n"),
              HasSubstr("out of range 0..1000"));
  EXPECT_THAT(ParseError("[security]\nlogin_max_delay = \"0s\"\n"), HasSubstr("out of range"));
  EXPECT_THAT(ParseError("[security]\nlogin_max_delay = \"2d\"\n"),
              HasSubstr("out of range 1s..1d"));
}

// --- log --------------------------------------------------------------------------------

TEST(ParseConfig, LogLevelAndFormatAreClosedSets) {
  for (const char* level : {"trace", "debug", "info", "warn", "error"}) {
    EXPECT_EQ(ParseOk(std::string("[log]\nlevel = \"") + level + "\"\n").log_level, level);
  }
  EXPECT_THAT(ParseError("[log]\nlevel = \"verbose\"\n"),
              HasSubstr("key 'log.level': \"verbose\" is not one of trace, debug, info, warn or "
                        "error"));
  EXPECT_THAT(ParseError("[log]\nlevel = \"INFO\"\n"), HasSubstr("is not one of"));
  EXPECT_EQ(ParseOk("[log]\nformat = \"json\"\n").log_format, "json");
  EXPECT_THAT(ParseError("[log]\nformat = \"xml\"\n"),
              HasSubstr("key 'log.format': \"xml\" is not one of text or json"));
}

TEST(ParseConfig, MessagesEscapeControlCharactersAndCutLongValues) {
  const std::string message = ParseError("[log]\nlevel = \"a\\u001b[31mb\"\n");
  EXPECT_THAT(message, HasSubstr("\"a\\x1b[31mb\""));
  EXPECT_EQ(message.find('\x1b'), std::string::npos);
  const std::string long_value(500, 'x');
  const std::string long_message = ParseError("[log]\nlevel = \"" + long_value + "\"\n");
  EXPECT_THAT(long_message, HasSubstr("...\""));
  EXPECT_LT(long_message.size(), 200u);
}

// --- files ------------------------------------------------------------------------------

class LoadConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("camguard-config-test-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::filesystem::path Write(const std::string& name, const std::string& contents) {
    auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << contents;
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(LoadConfigFileTest, LoadsAFile) {
  const auto path = Write("camguard.toml", "[log]\nlevel = \"warn\"\n");
  auto config = LoadConfigFile(path);
  ASSERT_TRUE(config.has_value()) << config.error().message;
  EXPECT_EQ(config->log_level, "warn");
}

TEST_F(LoadConfigFileTest, ErrorsNameThePath) {
  const auto path = Write("bad.toml", "[log]\nlevel = \"loud\"\n");
  auto config = LoadConfigFile(path);
  ASSERT_FALSE(config.has_value());
  EXPECT_THAT(config.error().message, StartsWith(path.string() + ": key 'log.level'"));
}

TEST_F(LoadConfigFileTest, MissingFileIsNotFound) {
  auto config = LoadConfigFile(dir_ / "absent.toml");
  ASSERT_FALSE(config.has_value());
  EXPECT_EQ(config.error().code, base::ErrorCode::kNotFound);
}

TEST_F(LoadConfigFileTest, RefusesFilesLargerThanOneMiB) {
  const auto path = Write("big.toml", std::string(kMaxConfigBytes + 1, '#'));
  auto config = LoadConfigFile(path);
  ASSERT_FALSE(config.has_value());
  EXPECT_THAT(config.error().message, HasSubstr("larger than"));
}

}  // namespace
}  // namespace camguard::config
