// SPDX-License-Identifier: Apache-2.0
// TOML → Config. toml++ is the only library here that throws; every call into it happens
// inside ParseConfig's try block, so no exception leaves this module.
#include "config/config.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <exception>
#include <limits>
#include <new>
#include <utility>

#include <fmt/format.h>

// Debian's libtomlplusplus.so is built with exceptions: its symbols live in the toml::v3::ex
// ABI namespace. TOML_EXCEPTIONS must agree with the library (CMake defines it as 1; a
// mismatch would otherwise surface as undefined toml::v3::noex::parse symbols).
// Assertions off, as in Debian's build of the library (GCC, no assert() calls in the .so).
// toml++ 3.3 violates one of its own preconditions on malformed table headers such as "[:"
// (upstream issues #294 and #301) and then reports an ordinary parse error; fuzz builds,
// which compile the parser from the headers, must behave the same instead of aborting.
#define TOML_ASSERT(expr) static_assert(true)
#include <toml++/toml.h>
static_assert(TOML_EXCEPTIONS, "camguard parses TOML with toml++ built with exceptions");

#include "base/files.h"
#include "base/strings.h"

namespace camguard::config {
namespace {

using base::Error;
using base::ErrorCode;
using base::Result;
using base::Status;

constexpr std::size_t kMaxQuotedChars = 64;

// Renders user-supplied text for an error message: printable ASCII as is, everything else
// escaped, long values cut, so messages stay one readable line whatever the file contains.
std::string Quote(std::string_view text) {
  std::string out = "\"";
  std::size_t shown = 0;
  for (const char c : text) {
    if (shown == kMaxQuotedChars) {
      out += "...";
      break;
    }
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (byte >= 0x20 && byte < 0x7f) {
      out += c;
    } else {
      out += fmt::format("\\x{:02x}", byte);
    }
    ++shown;
  }
  out += '"';
  return out;
}

// toml++'s descriptions may echo input characters; keep messages on one line.
std::string EscapeControlCharacters(std::string_view text) {
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      out += fmt::format("\\x{:02x}", byte);
    } else {
      out += c;
    }
  }
  return out;
}

// A key as written in messages: bare if it is a plain identifier, otherwise quoted.
std::string KeyText(std::string_view key) {
  const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-';
  });
  return bare ? std::string(key) : Quote(key);
}

std::string_view TypeName(const toml::node& node) {
  switch (node.type()) {
    case toml::node_type::table: return "a table";
    case toml::node_type::array: return "an array";
    case toml::node_type::string: return "a string";
    case toml::node_type::integer: return "an integer";
    case toml::node_type::floating_point: return "a float";
    case toml::node_type::boolean: return "a boolean";
    case toml::node_type::date: return "a date";
    case toml::node_type::time: return "a time";
    case toml::node_type::date_time: return "a date-time";
    case toml::node_type::none: break;
  }
  return "nothing";
}

struct TextPosition {
  std::size_t line = 1;
  std::size_t column = 1;
};

// toml++ 3.3 classifies code points outside strings with a lookup that reaches
// TOML_UNREACHABLE (undefined behaviour) for many non-ASCII characters (upstream issues #190
// and #295). TOML itself allows non-ASCII text only in strings and comments, and no camguard
// setting needs it in a string (a backslash-u escape still works), so non-ASCII bytes are
// refused everywhere except in comments before toml++ sees the document. This small scanner
// only needs to tell comments from strings; toml++ does the real parsing afterwards.
std::optional<TextPosition> FindNonAsciiOutsideComments(std::string_view text) {
  enum class State { kNormal, kComment, kBasic, kLiteral, kMultiLineBasic, kMultiLineLiteral };
  State state = State::kNormal;
  TextPosition position;
  const auto starts_with_at = [&](std::size_t i, std::string_view what) {
    return text.substr(i, what.size()) == what;
  };
  // Skips a run of quote characters ending a multi-line string ("""" is a quote plus the
  // delimiter); returns the index of the last one.
  const auto skip_quote_run = [&](std::size_t i, char quote) {
    while (i + 1 < text.size() && text[i + 1] == quote) ++i;
    return i;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++position.line;
      position.column = 1;
      if (state == State::kComment || state == State::kBasic || state == State::kLiteral) {
        state = State::kNormal;  // single-line constructs end here (or are errors for toml++)
      }
      continue;
    }
    if (static_cast<unsigned char>(c) >= 0x80 && state != State::kComment) return position;
    std::size_t last = i;
    switch (state) {
      case State::kNormal:
        if (c == '#') {
          state = State::kComment;
        } else if (starts_with_at(i, R"(""")")) {
          state = State::kMultiLineBasic;
          last = i + 2;
        } else if (starts_with_at(i, "'''")) {
          state = State::kMultiLineLiteral;
          last = i + 2;
        } else if (c == '"') {
          state = State::kBasic;
        } else if (c == '\'') {
          state = State::kLiteral;
        }
        break;
      case State::kComment: break;
      case State::kBasic:
        if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n') {
          last = i + 1;  // an escaped character never ends the string
        } else if (c == '"') {
          state = State::kNormal;
        }
        break;
      case State::kLiteral:
        if (c == '\'') state = State::kNormal;
        break;
      case State::kMultiLineBasic:
        if (c == '\\' && i + 1 < text.size() && text[i + 1] != '\n') {
          last = i + 1;
        } else if (starts_with_at(i, R"(""")")) {
          last = skip_quote_run(i, '"');
          state = State::kNormal;
        }
        break;
      case State::kMultiLineLiteral:
        if (starts_with_at(i, "'''")) {
          last = skip_quote_run(i, '\'');
          state = State::kNormal;
        }
        break;
    }
    // Escaped or delimiter characters consumed with this one are ASCII (checked below) or
    // fall through to the next iteration's check.
    while (i < last) {
      ++i;
      ++position.column;
      if (static_cast<unsigned char>(text[i]) >= 0x80) return position;
    }
    ++position.column;
  }
  return std::nullopt;
}

bool IsAsciiDigit(char c) { return c >= '0' && c <= '9'; }

bool IsAllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsAsciiDigit);
}

// Host names per RFC 1123 §2.1 (letters, digits, hyphens; labels of 1..63 characters, not
// starting or ending with a hyphen; at most 253 characters). A name whose last label is all
// digits would read as an IPv4 address (RFC 3696 §2), so it is refused.
bool IsValidDnsName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  const std::vector<std::string_view> labels = base::Split(name, '.');
  for (const std::string_view label : labels) {
    if (label.empty() || label.size() > 63) return false;
    if (label.front() == '-' || label.back() == '-') return false;
    for (const char c : label) {
      const bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsAsciiDigit(c) || c == '-';
      if (!ok) return false;
    }
  }
  return !IsAllDigits(labels.back());
}

bool IsIpv4Literal(std::string_view text) {
  if (text.size() >= INET_ADDRSTRLEN) return false;
  const std::string copy(text);
  in_addr address{};
  return ::inet_pton(AF_INET, copy.c_str(), &address) == 1;
}

bool IsIpv6Literal(std::string_view text) {
  if (text.size() >= INET6_ADDRSTRLEN) return false;
  const std::string copy(text);
  in6_addr address{};
  return ::inet_pton(AF_INET6, copy.c_str(), &address) == 1;
}

// Parses a decimal port 1..65535 (no sign, no leading '+', at most 5 digits); 0 only when
// `allow_ephemeral` (the --listen flag: the kernel picks a free port, which is printed).
Result<std::uint16_t> ParsePort(std::string_view text, bool allow_ephemeral) {
  if (text.empty()) return base::Fail(ErrorCode::kInvalidArgument, "missing port");
  unsigned value = 0;
  if (text.size() > 5 || !IsAllDigits(text)) {
    return base::Fail(ErrorCode::kInvalidArgument,
                      fmt::format("port {} is not a number from 1 to 65535", Quote(text)));
  }
  std::from_chars(text.data(), text.data() + text.size(), value);
  if ((value < 1 && !(allow_ephemeral && value == 0)) || value > 65535) {
    return base::Fail(ErrorCode::kInvalidArgument,
                      fmt::format("port {} is not a number from 1 to 65535", text));
  }
  return static_cast<std::uint16_t>(value);
}

struct HostPort {
  std::string host;  // IPv6 literals without brackets
  bool is_ipv6 = false;
  std::optional<std::uint16_t> port;
};

// "host", "host:port", "[v6]" or "[v6]:port"; the port is required when `require_port`.
Result<HostPort> ParseHostPort(std::string_view text, bool require_port,
                               bool allow_ephemeral = false) {
  HostPort out;
  std::string_view port_text;
  bool has_port = false;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) {
      return base::Fail(ErrorCode::kInvalidArgument, "missing ']' after IPv6 address");
    }
    const std::string_view address = text.substr(1, close - 1);
    if (!IsIpv6Literal(address)) {
      return base::Fail(ErrorCode::kInvalidArgument,
                        fmt::format("{} is not an IPv6 address", Quote(address)));
    }
    out.host = std::string(address);
    out.is_ipv6 = true;
    const std::string_view rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return base::Fail(ErrorCode::kInvalidArgument,
                          fmt::format("unexpected {} after ']'", Quote(rest)));
      }
      has_port = true;
      port_text = rest.substr(1);
    }
  } else {
    const std::size_t colon = text.rfind(':');
    std::string_view host = text;
    if (colon != std::string_view::npos) {
      host = text.substr(0, colon);
      port_text = text.substr(colon + 1);
      has_port = true;
    }
    if (host.find(':') != std::string_view::npos) {
      return base::Fail(ErrorCode::kInvalidArgument,
                        "an IPv6 address must be written in brackets, e.g. [::1]:8443");
    }
    if (host.empty()) return base::Fail(ErrorCode::kInvalidArgument, "missing address");
    // Digits and dots only: it can only be meant as an IPv4 address, so it must be one.
    const bool looks_numeric =
        std::all_of(host.begin(), host.end(), [](char c) { return IsAsciiDigit(c) || c == '.'; });
    if (looks_numeric ? !IsIpv4Literal(host) : !IsValidDnsName(host)) {
      return base::Fail(ErrorCode::kInvalidArgument,
                        fmt::format("{} is neither an IPv4 address nor a host name", Quote(host)));
    }
    out.host = std::string(host);
  }
  if (has_port) {
    CAMGUARD_TRY(out.port, ParsePort(port_text, allow_ephemeral));
  } else if (require_port) {
    return base::Fail(ErrorCode::kInvalidArgument, "missing ':PORT'");
  }
  return out;
}

Result<HostPort> ParseListen(std::string_view listen, bool allow_ephemeral = false) {
  auto parsed = ParseHostPort(listen, /*require_port=*/true, allow_ephemeral);
  if (!parsed) {
    return base::Fail(ErrorCode::kInvalidArgument,
                      fmt::format("listen address {}: {} (expected ADDR:PORT, e.g. 0.0.0.0:8443, "
                                  "[::1]:8443 or localhost:8443)",
                                  Quote(listen), parsed.error().message));
  }
  return parsed;
}

// An origin as browsers serialize it (RFC 6454 §6.2): scheme and host in lower case, the
// default port omitted. Only https origins are acceptable for a TLS-only service.
Result<std::string> NormalizeOrigin(std::string_view text) {
  const std::string lower = base::ToLower(text);
  constexpr std::string_view kScheme = "https://";
  if (lower.rfind(kScheme, 0) != 0) {
    return base::Fail(ErrorCode::kInvalidArgument, "must start with https://");
  }
  const std::string_view authority = std::string_view(lower).substr(kScheme.size());
  if (authority.find_first_of("/?#") != std::string_view::npos) {
    return base::Fail(ErrorCode::kInvalidArgument,
                      "an origin is https://host[:port] without path, query or trailing '/'");
  }
  if (authority.find('@') != std::string_view::npos) {
    return base::Fail(ErrorCode::kInvalidArgument, "an origin has no user name");
  }
  CAMGUARD_TRY(const HostPort host_port, ParseHostPort(authority, /*require_port=*/false));
  std::string origin(kScheme);
  origin += host_port.is_ipv6 ? "[" + host_port.host + "]" : host_port.host;
  if (host_port.port && *host_port.port != 443) origin += fmt::format(":{}", *host_port.port);
  return origin;
}

// "90s", "15m", "12h", "7d": one unsigned number and one unit.
Result<std::chrono::seconds> ParseDuration(std::string_view text) {
  const auto fail = [&] {
    return base::Fail(
        ErrorCode::kInvalidArgument,
        fmt::format("{} is not a duration like \"90s\", \"15m\", \"12h\" or \"7d\"", Quote(text)));
  };
  if (text.size() < 2) return fail();
  const std::string_view number = text.substr(0, text.size() - 1);
  // Nine digits of days still fit comfortably in 64-bit seconds.
  if (number.size() > 9 || !IsAllDigits(number)) return fail();
  std::int64_t value = 0;
  std::from_chars(number.data(), number.data() + number.size(), value);
  switch (text.back()) {
    case 's': return std::chrono::seconds(value);
    case 'm': return std::chrono::seconds(value * 60);
    case 'h': return std::chrono::seconds(value * 3600);
    case 'd': return std::chrono::seconds(value * 86400);
    default: return fail();
  }
}

std::string FormatDuration(std::chrono::seconds duration) {
  const std::int64_t s = duration.count();
  if (s != 0 && s % 86400 == 0) return fmt::format("{}d", s / 86400);
  if (s != 0 && s % 3600 == 0) return fmt::format("{}h", s / 3600);
  if (s != 0 && s % 60 == 0) return fmt::format("{}m", s / 60);
  return fmt::format("{}s", s);
}

std::string JoinNames(const auto& names) {
  std::string out;
  for (std::size_t i = 0; i < std::size(names); ++i) {
    if (i > 0) out += (i + 1 == std::size(names)) ? " or " : ", ";
    out += names[i];
  }
  return out;
}

constexpr std::array<std::string_view, 7> kSections = {"server", "tls",  "security", "recording",
                                                       "watch",  "mqtt", "log"};
constexpr std::array<std::string_view, 3> kWatchKeys = {"poll_interval", "config_interval",
                                                        "tamper_interval"};
constexpr std::array<std::string_view, 9> kMqttKeys = {
    "enabled",    "broker",           "username", "password_file",     "tls_ca_file",
    "base_topic", "discovery_prefix", "hub_id",   "command_token_file"};
constexpr std::array<std::string_view, 7> kRecordingKeys = {
    "directory",        "encrypt",       "segment_length",     "disk_budget_gib",
    "min_free_percent", "stall_timeout", "reconnect_max_delay"};
constexpr std::array<std::string_view, 3> kServerKeys = {"listen", "server_names",
                                                         "allowed_origins"};
constexpr std::array<std::string_view, 2> kTlsKeys = {"certificate", "private_key"};
constexpr std::array<std::string_view, 7> kSecurityKeys = {
    "argon2_memory_kib",    "argon2_iterations",        "allow_weak_password_hashing",
    "session_idle_timeout", "session_absolute_timeout", "login_free_failures",
    "login_max_delay"};
constexpr std::array<std::string_view, 2> kLogKeys = {"level", "format"};
constexpr std::array<std::string_view, 5> kLogLevels = {"trace", "debug", "info", "warn", "error"};
constexpr std::array<std::string_view, 2> kLogFormats = {"text", "json"};

// Walks the parsed document section by section. Each section handler recognizes its keys
// and refuses all others, so unknown keys never pass silently.
class ConfigReader {
 public:
  explicit ConfigReader(std::string_view source_name) : source_name_(source_name) {}

  Result<Config> Read(const toml::table& root) {
    for (auto&& [key, node] : root) {
      const std::string_view name = key.str();
      const toml::table* table = node.as_table();
      if (std::find(kSections.begin(), kSections.end(), name) == kSections.end()) {
        return KeyError(KeyText(name), node,
                        fmt::format("unknown section (expected {})", JoinNames(kSections)));
      }
      if (table == nullptr) {
        return KeyError(name, node, fmt::format("expected a table, got {}", TypeName(node)));
      }
      if (name == "server") {
        CAMGUARD_TRY_STATUS(ReadServer(*table));
      } else if (name == "tls") {
        CAMGUARD_TRY_STATUS(ReadTls(*table));
      } else if (name == "security") {
        CAMGUARD_TRY_STATUS(ReadSecurity(*table));
      } else if (name == "recording") {
        CAMGUARD_TRY_STATUS(ReadRecording(*table));
      } else if (name == "watch") {
        CAMGUARD_TRY_STATUS(ReadWatch(*table));
      } else if (name == "mqtt") {
        CAMGUARD_TRY_STATUS(ReadMqtt(*table));
      } else {
        CAMGUARD_TRY_STATUS(ReadLog(*table));
      }
    }
    CAMGUARD_TRY_STATUS(CheckCrossFieldRules());
    return config_;
  }

 private:
  // "camguard.toml: key 'security.argon2_iterations': <why> (line 7)".
  tl::unexpected<Error> KeyError(std::string_view key, const toml::node& node,
                                 std::string_view why) const {
    const auto line = node.source().begin.line;
    return base::Fail(ErrorCode::kInvalidArgument,
                      line > 0
                          ? fmt::format("{}: key '{}': {} (line {})", source_name_, key, why, line)
                          : fmt::format("{}: key '{}': {}", source_name_, key, why));
  }

  template <typename Keys>
  tl::unexpected<Error> UnknownKey(std::string_view section, std::string_view key,
                                   const toml::node& node, const Keys& known) const {
    return KeyError(fmt::format("{}.{}", section, KeyText(key)), node,
                    fmt::format("unknown key (expected {})", JoinNames(known)));
  }

  Result<std::string> GetString(const std::string& key, const toml::node& node) const {
    const auto* value = node.as_string();
    if (value == nullptr) {
      return KeyError(key, node, fmt::format("expected a string, got {}", TypeName(node)));
    }
    return value->get();
  }

  Result<std::int64_t> GetInteger(const std::string& key, const toml::node& node, std::int64_t min,
                                  std::int64_t max) const {
    const auto* value = node.as_integer();
    if (value == nullptr) {
      return KeyError(key, node, fmt::format("expected an integer, got {}", TypeName(node)));
    }
    const std::int64_t v = value->get();
    if (v < min || v > max) {
      return KeyError(key, node, fmt::format("{} is out of range {}..{}", v, min, max));
    }
    return v;
  }

  Result<bool> GetBool(const std::string& key, const toml::node& node) const {
    const auto* value = node.as_boolean();
    if (value == nullptr) {
      return KeyError(key, node, fmt::format("expected true or false, got {}", TypeName(node)));
    }
    return value->get();
  }

  Result<std::vector<std::pair<std::string, const toml::node*>>> GetStringArray(
      const std::string& key, const toml::node& node) const {
    const toml::array* array = node.as_array();
    if (array == nullptr) {
      return KeyError(key, node,
                      fmt::format("expected an array of strings, got {}", TypeName(node)));
    }
    std::vector<std::pair<std::string, const toml::node*>> out;
    for (const toml::node& element : *array) {
      const auto* value = element.as_string();
      if (value == nullptr) {
        return KeyError(key, element,
                        fmt::format("expected an array of strings, found {}", TypeName(element)));
      }
      out.emplace_back(value->get(), &element);
    }
    return out;
  }

  Result<std::chrono::seconds> GetDuration(const std::string& key, const toml::node& node,
                                           std::chrono::seconds min,
                                           std::chrono::seconds max) const {
    CAMGUARD_TRY(const std::string text, GetString(key, node));
    auto duration = ParseDuration(text);
    if (!duration) return KeyError(key, node, duration.error().message);
    if (*duration < min || *duration > max) {
      return KeyError(key, node,
                      fmt::format("{} is out of range {}..{}", Quote(text), FormatDuration(min),
                                  FormatDuration(max)));
    }
    return *duration;
  }

  Status ReadServer(const toml::table& table) {
    for (auto&& [key, node] : table) {
      const std::string_view name = key.str();
      const std::string full = fmt::format("server.{}", KeyText(name));
      if (name == "listen") {
        CAMGUARD_TRY(const std::string listen, GetString(full, node));
        auto parsed = ParseListen(listen);
        if (!parsed) return KeyError(full, node, parsed.error().message);
        config_.listen_host = parsed->host;
        config_.listen_port = *parsed->port;
      } else if (name == "server_names") {
        CAMGUARD_TRY(const auto names, GetStringArray(full, node));
        config_.server_names.clear();
        for (const auto& [text, element] : names) {
          if (!IsValidDnsName(text)) {
            return KeyError(full, *element, fmt::format("{} is not a valid DNS name", Quote(text)));
          }
          std::string lower = base::ToLower(text);  // DNS names compare case-insensitively
          if (std::find(config_.server_names.begin(), config_.server_names.end(), lower) !=
              config_.server_names.end()) {
            return KeyError(full, *element, fmt::format("{} is listed twice", Quote(text)));
          }
          config_.server_names.push_back(std::move(lower));
        }
      } else if (name == "allowed_origins") {
        CAMGUARD_TRY(const auto origins, GetStringArray(full, node));
        config_.allowed_origins.clear();
        for (const auto& [text, element] : origins) {
          auto origin = NormalizeOrigin(text);
          if (!origin) {
            return KeyError(full, *element,
                            fmt::format("{}: {}", Quote(text), origin.error().message));
          }
          if (std::find(config_.allowed_origins.begin(), config_.allowed_origins.end(), *origin) !=
              config_.allowed_origins.end()) {
            return KeyError(full, *element, fmt::format("{} is listed twice", Quote(text)));
          }
          config_.allowed_origins.push_back(std::move(*origin));
        }
      } else {
        return UnknownKey("server", name, node, kServerKeys);
      }
    }
    return base::Ok();
  }

  Result<std::filesystem::path> GetAbsolutePath(const std::string& key,
                                                const toml::node& node) const {
    CAMGUARD_TRY(const std::string text, GetString(key, node));
    if (text.find('\0') != std::string::npos) {
      return KeyError(key, node, "a path cannot contain NUL characters");
    }
    if (text.empty() || text.front() != '/') {
      // The daemon runs with "/" as working directory under systemd; relative paths would
      // silently mean something else there than in a shell.
      return KeyError(key, node, fmt::format("{} is not an absolute path", Quote(text)));
    }
    return std::filesystem::path(text);
  }

  Status ReadTls(const toml::table& table) {
    for (auto&& [key, node] : table) {
      const std::string_view name = key.str();
      const std::string full = fmt::format("tls.{}", KeyText(name));
      if (name == "certificate") {
        CAMGUARD_TRY(config_.tls_certificate, GetAbsolutePath(full, node));
      } else if (name == "private_key") {
        CAMGUARD_TRY(config_.tls_private_key, GetAbsolutePath(full, node));
      } else {
        return UnknownKey("tls", name, node, kTlsKeys);
      }
    }
    tls_table_ = &table;
    return base::Ok();
  }

  Status ReadSecurity(const toml::table& table) {
    for (auto&& [key, node] : table) {
      const std::string_view name = key.str();
      const std::string full = fmt::format("security.{}", KeyText(name));
      if (name == "argon2_memory_kib") {
        // Floors depend on allow_weak_password_hashing, which may come later in the file;
        // they are checked in CheckCrossFieldRules().
        CAMGUARD_TRY(const std::int64_t v,
                     GetInteger(full, node, 1, static_cast<std::int64_t>(kMaxArgon2MemoryKib)));
        config_.argon2_memory_kib = static_cast<std::uint64_t>(v);
        argon2_memory_node_ = &node;
      } else if (name == "argon2_iterations") {
        CAMGUARD_TRY(const std::int64_t v,
                     GetInteger(full, node, 1, std::numeric_limits<std::uint32_t>::max()));
        config_.argon2_iterations = static_cast<std::uint32_t>(v);
        argon2_iterations_node_ = &node;
      } else if (name == "allow_weak_password_hashing") {
        CAMGUARD_TRY(config_.allow_weak_password_hashing, GetBool(full, node));
      } else if (name == "session_idle_timeout") {
        CAMGUARD_TRY(config_.session_idle_timeout,
                     GetDuration(full, node, kMinSessionTimeout, kMaxSessionTimeout));
        idle_node_ = &node;
      } else if (name == "session_absolute_timeout") {
        CAMGUARD_TRY(config_.session_absolute_timeout,
                     GetDuration(full, node, kMinSessionTimeout, kMaxSessionTimeout));
        absolute_node_ = &node;
      } else if (name == "login_free_failures") {
        CAMGUARD_TRY(const std::int64_t v, GetInteger(full, node, 0, kMaxThrottleFreeFailures));
        config_.throttle_free_failures = static_cast<int>(v);
      } else if (name == "login_max_delay") {
        CAMGUARD_TRY(config_.throttle_max_delay,
                     GetDuration(full, node, std::chrono::seconds(1), kMaxThrottleDelay));
      } else {
        return UnknownKey("security", name, node, kSecurityKeys);
      }
    }
    return base::Ok();
  }

  template <typename Names>
  Result<std::string> GetOneOf(const std::string& key, const toml::node& node,
                               const Names& allowed) const {
    CAMGUARD_TRY(std::string value, GetString(key, node));
    if (std::find(allowed.begin(), allowed.end(), value) == allowed.end()) {
      return KeyError(key, node,
                      fmt::format("{} is not one of {}", Quote(value), JoinNames(allowed)));
    }
    return value;
  }

  Status ReadRecording(const toml::table& table) {
    for (auto&& [key, node] : table) {
      const std::string_view name = key.str();
      const std::string full = fmt::format("recording.{}", KeyText(name));
      if (name == "directory") {
        CAMGUARD_TRY(config_.recordings_directory, GetAbsolutePath(full, node));
      } else if (name == "encrypt") {
        CAMGUARD_TRY(config_.encrypt_recordings, GetBool(full, node));
      } else if (name == "segment_length") {
        CAMGUARD_TRY(config_.segment_length,
                     GetDuration(full, node, kMinSegmentLength, kMaxSegmentLength));
      } else if (name == "disk_budget_gib") {
        CAMGUARD_TRY(const std::int64_t v,
                     GetInteger(full, node, 0, static_cast<std::int64_t>(kMaxDiskBudgetGib)));
        config_.disk_budget_gib = static_cast<std::uint64_t>(v);
      } else if (name == "min_free_percent") {
        CAMGUARD_TRY(const std::int64_t v, GetInteger(full, node, 0, kMaxMinFreePercent));
        config_.min_free_percent = static_cast<int>(v);
      } else if (name == "stall_timeout") {
        CAMGUARD_TRY(config_.stall_timeout,
                     GetDuration(full, node, kMinStallTimeout, kMaxStallTimeout));
      } else if (name == "reconnect_max_delay") {
        CAMGUARD_TRY(config_.reconnect_max_delay,
                     GetDuration(full, node, std::chrono::seconds(1), kMaxReconnectDelay));
      } else {
        return UnknownKey("recording", name, node, kRecordingKeys);
      }
    }
    return base::Ok();
  }

  // An MQTT topic level: letters, digits, '_' and '-' only (no wildcards or separators).
  Result<std::string> GetTopicLevel(const std::string& key, const toml::node& node) const {
    CAMGUARD_TRY(std::string value, GetString(key, node));
    const bool ok =
        !value.empty() && value.size() <= 64 && std::all_of(value.begin(), value.end(), [](char c) {
          return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '-';
        });
    if (!ok) {
      return KeyError(key, node,
                      fmt::format("{} must be 1 to 64 letters, digits, '_' or '-'", Quote(value)));
    }
    return value;
  }

  Status ReadWatch(const toml::table& table) {
    for (auto&& [key, node] : table) {
      const std::string_view name = key.str();
      const std::string full = fmt::format("watch.{}", KeyText(name));
      if (name == "poll_interval") {
        CAMGUARD_TRY(config_.watch_poll_interval,
                     GetDuration(full, node, kMinWatchPollInterval, kMaxWatchPollInterval));
      } else if (name == "config_interval") {
        CAMGUARD_TRY(config_.watch_config_interval,
                     GetDuration(full, node, kMinWatchConfigInterval, kMaxWatchConfigInterval));
      } else if (name == "tamper_interval") {
        CAMGUARD_TRY(config_.tamper_interval,
                     GetDuration(full, node, std::chrono::seconds(0), kMaxTamperInterval));
      } else {
        return UnknownKey("watch", name, node, kWatchKeys);
      }
    }
    return base::Ok();
  }

  Status ReadMqtt(const toml::table& table) {
    for (auto&& [key, node] : table) {
      const std::string_view name = key.str();
      const std::string full = fmt::format("mqtt.{}", KeyText(name));
      if (name == "enabled") {
        CAMGUARD_TRY(config_.mqtt_enabled, GetBool(full, node));
      } else if (name == "broker") {
        CAMGUARD_TRY(const std::string broker, GetString(full, node));
        Config probe;
        if (auto parsed = ApplyListenFlag(probe, broker); !parsed) {
          return KeyError(full, node, fmt::format("{} is not HOST:PORT", Quote(broker)));
        }
        config_.mqtt_host = probe.listen_host;
        config_.mqtt_port = probe.listen_port;
      } else if (name == "username") {
        CAMGUARD_TRY(config_.mqtt_username, GetString(full, node));
      } else if (name == "password_file") {
        CAMGUARD_TRY(config_.mqtt_password_file, GetAbsolutePath(full, node));
      } else if (name == "command_token_file") {
        CAMGUARD_TRY(config_.mqtt_command_token_file, GetAbsolutePath(full, node));
      } else if (name == "tls_ca_file") {
        CAMGUARD_TRY(config_.mqtt_ca_file, GetAbsolutePath(full, node));
      } else if (name == "base_topic") {
        CAMGUARD_TRY(config_.mqtt_base_topic, GetTopicLevel(full, node));
      } else if (name == "discovery_prefix") {
        CAMGUARD_TRY(config_.mqtt_discovery_prefix, GetTopicLevel(full, node));
      } else if (name == "hub_id") {
        CAMGUARD_TRY(config_.mqtt_hub_id, GetTopicLevel(full, node));
      } else {
        return UnknownKey("mqtt", name, node, kMqttKeys);
      }
    }
    return base::Ok();
  }

  Status ReadLog(const toml::table& table) {
    for (auto&& [key, node] : table) {
      const std::string_view name = key.str();
      const std::string full = fmt::format("log.{}", KeyText(name));
      if (name == "level") {
        CAMGUARD_TRY(config_.log_level, GetOneOf(full, node, kLogLevels));
      } else if (name == "format") {
        CAMGUARD_TRY(config_.log_format, GetOneOf(full, node, kLogFormats));
      } else {
        return UnknownKey("log", name, node, kLogKeys);
      }
    }
    return base::Ok();
  }

  Status CheckCrossFieldRules() const {
    const bool weak = config_.allow_weak_password_hashing;
    const std::uint64_t min_memory = weak ? kMinWeakArgon2MemoryKib : kMinArgon2MemoryKib;
    const std::uint32_t min_iterations = weak ? kMinWeakArgon2Iterations : kMinArgon2Iterations;
    const std::string_view weak_hint =
        weak ? "" : " (allow_weak_password_hashing = true lowers it, for tests only)";
    if (config_.argon2_memory_kib < min_memory) {
      return KeyError("security.argon2_memory_kib", *argon2_memory_node_,
                      fmt::format("{} is below the minimum {}{}", config_.argon2_memory_kib,
                                  min_memory, weak_hint));
    }
    if (config_.argon2_iterations < min_iterations) {
      return KeyError("security.argon2_iterations", *argon2_iterations_node_,
                      fmt::format("{} is below the minimum {}{}", config_.argon2_iterations,
                                  min_iterations, weak_hint));
    }
    if (config_.session_idle_timeout > config_.session_absolute_timeout) {
      // Blame whichever of the two the file actually set (at least one of them, since the
      // defaults satisfy the rule).
      const bool blame_idle = idle_node_ != nullptr;
      return KeyError(
          blame_idle ? "security.session_idle_timeout" : "security.session_absolute_timeout",
          blame_idle ? *idle_node_ : *absolute_node_,
          fmt::format("session_idle_timeout ({}) must not exceed session_absolute_timeout ({})",
                      FormatDuration(config_.session_idle_timeout),
                      FormatDuration(config_.session_absolute_timeout)));
    }
    if (config_.tls_certificate.has_value() != config_.tls_private_key.has_value()) {
      const bool missing_key = config_.tls_certificate.has_value();
      return KeyError(missing_key ? "tls.private_key" : "tls.certificate", *tls_table_,
                      "missing: certificate and private_key must be given together");
    }
    return base::Ok();
  }

  std::string_view source_name_;
  Config config_;
  // Where the values checked by cross-field rules came from, for messages. Each is set
  // whenever the file sets the value, which it must for the rule to fail (defaults pass).
  const toml::node* argon2_memory_node_ = nullptr;
  const toml::node* argon2_iterations_node_ = nullptr;
  const toml::node* idle_node_ = nullptr;
  const toml::node* absolute_node_ = nullptr;
  const toml::table* tls_table_ = nullptr;
};

}  // namespace

base::Result<Config> ParseConfig(std::string_view toml_text, std::string_view source_name) {
  if (toml_text.size() > kMaxConfigBytes) {
    return base::Fail(ErrorCode::kInvalidArgument,
                      fmt::format("{}: larger than {} bytes", source_name, kMaxConfigBytes));
  }
  if (const auto position = FindNonAsciiOutsideComments(toml_text)) {
    return base::Fail(ErrorCode::kInvalidArgument,
                      fmt::format("{}:{}:{}: non-ASCII character outside a comment (in a string, "
                                  "write it as a \\uXXXX escape)",
                                  source_name, position->line, position->column));
  }
  try {
    const toml::table root = toml::parse(toml_text, source_name);
    return ConfigReader(source_name).Read(root);
  } catch (const toml::parse_error& error) {
    const toml::source_position begin = error.source().begin;
    std::string where(source_name);
    if (begin.line > 0) where += fmt::format(":{}", begin.line);
    if (begin.column > 0) where += fmt::format(":{}", begin.column);
    return base::Fail(ErrorCode::kInvalidArgument,
                      fmt::format("{}: {}", where, EscapeControlCharacters(error.description())));
  } catch (const std::bad_alloc&) {
    return base::Fail(ErrorCode::kResourceExhausted,
                      fmt::format("{}: out of memory while parsing", source_name));
  } catch (const std::exception& error) {
    return base::Fail(ErrorCode::kInternal, fmt::format("{}: unexpected error while parsing: {}",
                                                        source_name, error.what()));
  }
}

base::Result<Config> LoadConfigFile(const std::filesystem::path& path) {
  auto text = base::ReadFile(path, kMaxConfigBytes);
  if (!text) return base::Wrap(text.error(), "reading configuration");
  return ParseConfig(*text, path.string());
}

base::Status ApplyListenFlag(Config& config, std::string_view listen) {
  CAMGUARD_TRY(const HostPort parsed, ParseListen(listen, /*allow_ephemeral=*/true));
  config.listen_host = parsed.host;
  config.listen_port = *parsed.port;
  return base::Ok();
}

std::string ExampleConfig() {
  const Config defaults;
  return fmt::format(
      R"(# camguard configuration (TOML, https://toml.io/en/v1.0.0).
#
# Every value below is the default: delete or comment out what you do not change.
# Unknown sections and keys are errors, so a typo is reported instead of ignored.
# Durations are strings with one unit: "90s", "15m", "12h", "7d".
# Outside comments the file must be ASCII; in strings, write other characters as \uXXXX.

[server]
# Address and port of the HTTPS listener: "IPv4:PORT", "[IPv6]:PORT" or "hostname:PORT".
# The --listen command-line flag overrides it.
listen = "{listen_host}:{listen_port}"
# Extra DNS names for the generated self-signed certificate, e.g. ["camguard.home.arpa"].
server_names = []
# Origins accepted for state-changing requests besides https://<Host header of the request>,
# e.g. ["https://cams.example.org"] behind a reverse proxy. Only https://host[:port].
allowed_origins = []

[tls]
# PEM certificate chain and private key, absolute paths. Give both or neither; without
# them camguard uses a generated self-signed certificate.
# certificate = "/etc/camguard/tls/cert.pem"
# private_key = "/etc/camguard/tls/key.pem"

[security]
# Argon2id cost of password hashes: memory in KiB and number of passes.
# Minimum {min_memory} KiB and {min_iterations} passes; memory at most {max_memory} KiB (4 GiB).
argon2_memory_kib = {memory}
argon2_iterations = {iterations}
# true lowers the minimums to {weak_memory} KiB and {weak_iterations} pass. For automated tests only,
# never on a real installation.
allow_weak_password_hashing = {weak}
# A session ends after this long without a request, and at the latest this long after the
# login. Both from "{min_session}" to "{max_session}"; idle not longer than absolute.
session_idle_timeout = "{idle}"
session_absolute_timeout = "{absolute}"
# Failed logins tolerated before further attempts are delayed (0 to {max_free}); the delay
# grows with each failure up to login_max_delay (1s to {max_delay}).
login_free_failures = {free_failures}
login_max_delay = "{delay}"

[recording]
# Where segment files go (absolute path); by default the recordings folder of the data directory.
# directory = "/var/lib/camguard/recordings"
# Recordings are encrypted at rest with a key kept in the data directory. Exports are always plain.
encrypt = {encrypt}
# Length of one segment file ("{min_segment}" to "{max_segment}"); cut at the next keyframe.
segment_length = "{segment}"
# Total size of all recordings in GiB before the oldest are deleted; 0 means no budget.
disk_budget_gib = {budget}
# Oldest recordings are also deleted while the disk has less than this percentage free (0 to {max_free_percent}).
min_free_percent = {free_percent}
# A camera that sends no video for this long is reconnected ("{min_stall}" to "{max_stall}").
stall_timeout = "{stall}"
# Reconnection attempts back off up to this delay (with jitter).
reconnect_max_delay = "{reconnect}"

[watch]
# Cameras with an ONVIF address are watched for moves and reconfiguration from outside camguard.
# How often PTZ cameras are asked where they point ("{min_poll}" to "{max_poll}"); an outside
# move is noticed within about this long.
poll_interval = "{poll}"
# How often accounts, network, DNS, NTP and firmware are compared with the last accepted
# configuration ("{min_config}" to "{max_config}").
config_interval = "{config_every}"
# Every camera, with or without ONVIF, is checked for a covered lens, a changed view and lost
# focus on one keyframe this often ("0s" turns it off, at most "{max_tamper}"). A 1080p keyframe
# costs about 16 ms of CPU to decode; a change is reported after two pictures.
tamper_interval = "{tamper}"

[mqtt]
# Publish camera status and alerts to an MQTT broker, with Home Assistant discovery.
enabled = {mqtt_enabled}
# Broker address, "host:port".
broker = "{mqtt_host}:{mqtt_port}"
# Credentials at the broker; the password is read from a file (absolute path, one line).
# username = "camguard"
# password_file = "/etc/camguard/mqtt-password"
# Commands from Home Assistant (privacy switch, PTZ preset buttons) are carried out with this API
# token (absolute path, one line): create one with only the privacy and ptz scopes and only the
# cameras Home Assistant may control. Without it the integration only reports.
# command_token_file = "/etc/camguard/mqtt-command-token"
# TLS to the broker, verified against this CA bundle (absolute path).
# tls_ca_file = "/etc/ssl/certs/ca-certificates.crt"
# Topics: <base_topic>/<hub_id>/..., and discovery under <discovery_prefix>/.
base_topic = "{mqtt_base}"
discovery_prefix = "{mqtt_discovery}"
hub_id = "{mqtt_hub}"

[log]
# trace, debug, info, warn or error.
level = "{level}"
# text (for people) or json (one object per line, for log collectors).
format = "{format}"
)",
      fmt::arg("listen_host", defaults.listen_host), fmt::arg("listen_port", defaults.listen_port),
      fmt::arg("min_memory", kMinArgon2MemoryKib), fmt::arg("min_iterations", kMinArgon2Iterations),
      fmt::arg("max_memory", kMaxArgon2MemoryKib), fmt::arg("memory", defaults.argon2_memory_kib),
      fmt::arg("iterations", defaults.argon2_iterations),
      fmt::arg("weak_memory", kMinWeakArgon2MemoryKib),
      fmt::arg("weak_iterations", kMinWeakArgon2Iterations),
      fmt::arg("weak", defaults.allow_weak_password_hashing),
      fmt::arg("min_session", FormatDuration(kMinSessionTimeout)),
      fmt::arg("max_session", FormatDuration(kMaxSessionTimeout)),
      fmt::arg("idle", FormatDuration(defaults.session_idle_timeout)),
      fmt::arg("absolute", FormatDuration(defaults.session_absolute_timeout)),
      fmt::arg("max_free", kMaxThrottleFreeFailures),
      fmt::arg("max_delay", FormatDuration(kMaxThrottleDelay)),
      fmt::arg("free_failures", defaults.throttle_free_failures),
      fmt::arg("delay", FormatDuration(defaults.throttle_max_delay)),
      fmt::arg("encrypt", defaults.encrypt_recordings),
      fmt::arg("min_segment", FormatDuration(kMinSegmentLength)),
      fmt::arg("max_segment", FormatDuration(kMaxSegmentLength)),
      fmt::arg("segment", FormatDuration(defaults.segment_length)),
      fmt::arg("budget", defaults.disk_budget_gib),
      fmt::arg("max_free_percent", kMaxMinFreePercent),
      fmt::arg("free_percent", defaults.min_free_percent),
      fmt::arg("min_stall", FormatDuration(kMinStallTimeout)),
      fmt::arg("max_stall", FormatDuration(kMaxStallTimeout)),
      fmt::arg("stall", FormatDuration(defaults.stall_timeout)),
      fmt::arg("reconnect", FormatDuration(defaults.reconnect_max_delay)),
      fmt::arg("min_poll", FormatDuration(kMinWatchPollInterval)),
      fmt::arg("max_poll", FormatDuration(kMaxWatchPollInterval)),
      fmt::arg("poll", FormatDuration(defaults.watch_poll_interval)),
      fmt::arg("min_config", FormatDuration(kMinWatchConfigInterval)),
      fmt::arg("max_config", FormatDuration(kMaxWatchConfigInterval)),
      fmt::arg("config_every", FormatDuration(defaults.watch_config_interval)),
      fmt::arg("max_tamper", FormatDuration(kMaxTamperInterval)),
      fmt::arg("tamper", FormatDuration(defaults.tamper_interval)),
      fmt::arg("mqtt_enabled", defaults.mqtt_enabled), fmt::arg("mqtt_host", defaults.mqtt_host),
      fmt::arg("mqtt_port", defaults.mqtt_port), fmt::arg("mqtt_base", defaults.mqtt_base_topic),
      fmt::arg("mqtt_discovery", defaults.mqtt_discovery_prefix),
      fmt::arg("mqtt_hub", defaults.mqtt_hub_id), fmt::arg("level", defaults.log_level),
      fmt::arg("format", defaults.log_format));
}

}  // namespace camguard::config
