// SPDX-License-Identifier: Apache-2.0
#include "scan/target.h"

#include <algorithm>
#include <charconv>
#include <map>
#include <set>

#include <fmt/format.h>

#include "base/strings.h"

namespace camguard::scan {

using base::ErrorCode;
using base::Fail;

namespace {

std::optional<std::uint32_t> ParseNumber(std::string_view text, std::uint32_t max) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  if (text.size() > 1 && text[0] == '0') return std::nullopt;
  std::uint32_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > max) return std::nullopt;
  return value;
}

bool InBlock(Ipv4 address, Ipv4 network, int prefix) {
  const Ipv4 mask = prefix == 0 ? 0 : ~Ipv4{0} << (32 - prefix);
  return (address & mask) == (network & mask);
}

constexpr Ipv4 Addr(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

bool ValidHostname(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  for (std::string_view label : base::Split(name, '.')) {
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      const bool ok =
          (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
      if (!ok) return false;
    }
  }
  return true;
}

std::string_view ScopeText(AddressScope scope) {
  switch (scope) {
    case AddressScope::kPublic: return "a public address";
    case AddressScope::kUnusable:
      return "not a host address (network, broadcast, multicast, reserved)";
    default: return "a local address";
  }
}

}  // namespace

std::optional<Ipv4> ParseIpv4(std::string_view text) {
  const auto parts = base::Split(text, '.');
  if (parts.size() != 4) return std::nullopt;
  Ipv4 out = 0;
  for (std::string_view part : parts) {
    if (part.size() > 3) return std::nullopt;
    const auto value = ParseNumber(part, 255);
    if (!value) return std::nullopt;
    out = (out << 8) | *value;
  }
  return out;
}

std::string FormatIpv4(Ipv4 address) {
  return fmt::format("{}.{}.{}.{}", address >> 24, (address >> 16) & 0xff, (address >> 8) & 0xff,
                     address & 0xff);
}

AddressScope ScopeOf(Ipv4 a) {
  if (InBlock(a, Addr(0, 0, 0, 0), 8) || InBlock(a, Addr(224, 0, 0, 0), 4) ||
      InBlock(a, Addr(240, 0, 0, 0), 4)) {
    return AddressScope::kUnusable;  // "this network", multicast, reserved and broadcast
  }
  if (InBlock(a, Addr(127, 0, 0, 0), 8)) return AddressScope::kLoopback;
  if (InBlock(a, Addr(10, 0, 0, 0), 8) || InBlock(a, Addr(172, 16, 0, 0), 12) ||
      InBlock(a, Addr(192, 168, 0, 0), 16)) {
    return AddressScope::kPrivate;
  }
  if (InBlock(a, Addr(169, 254, 0, 0), 16)) return AddressScope::kLinkLocal;
  if (InBlock(a, Addr(100, 64, 0, 0), 10)) return AddressScope::kSharedCgn;
  return AddressScope::kPublic;
}

const std::vector<std::uint16_t>& DefaultPorts() {
  static const std::vector<std::uint16_t> kPorts = {23,   80,   443,  554,  2323,  8000,
                                                    8080, 8443, 8554, 9000, 34567, 37777};
  return kPorts;
}

base::Result<std::vector<std::uint16_t>> ParsePortList(std::string_view text) {
  std::set<std::uint16_t> ports;
  for (std::string_view item : base::Split(text, ',')) {
    item = base::Trim(item);
    const std::size_t dash = item.find('-');
    const auto first = ParseNumber(item.substr(0, dash), 65535);
    const auto last =
        dash == std::string_view::npos ? first : ParseNumber(item.substr(dash + 1), 65535);
    if (!first || !last || *first == 0 || *last < *first) {
      return Fail(
          ErrorCode::kInvalidArgument,
          fmt::format("--ports: '{}' is not a port (1-65535) or a range such as 80-90", item));
    }
    if (*last - *first + 1 > kMaxPorts) {
      return Fail(ErrorCode::kInvalidArgument, fmt::format("--ports: at most {} ports", kMaxPorts));
    }
    for (std::uint32_t p = *first; p <= *last; ++p) ports.insert(static_cast<std::uint16_t>(p));
    if (ports.size() > kMaxPorts) {
      return Fail(ErrorCode::kInvalidArgument, fmt::format("--ports: at most {} ports", kMaxPorts));
    }
  }
  return std::vector<std::uint16_t>(ports.begin(), ports.end());
}

base::Result<TargetSpec> ParseTarget(std::string_view text) {
  TargetSpec spec;
  spec.text = std::string(text);
  std::string_view host = base::Trim(text);
  if (host.empty()) return Fail(ErrorCode::kInvalidArgument, "empty target");
  if (host.find(':') != host.rfind(':')) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("target '{}': IPv6 is not supported yet", text));
  }
  if (const std::size_t slash = host.find('/'); slash != std::string_view::npos) {
    const auto network = ParseIpv4(host.substr(0, slash));
    const auto prefix = ParseNumber(host.substr(slash + 1), 32);
    if (!network || !prefix) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("target '{}': a CIDR block is an IPv4 address, '/' and a prefix "
                              "length (e.g. 192.168.1.0/24)",
                              text));
    }
    if (static_cast<int>(*prefix) < kMinPrefixLength) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("target '{}': blocks wider than /{} ({} addresses) are refused", text,
                              kMinPrefixLength, 1u << (32 - kMinPrefixLength)));
    }
    const Ipv4 mask = *prefix == 0 ? 0 : ~Ipv4{0} << (32 - *prefix);
    spec.first = *network & mask;
    spec.count = *prefix == 32 ? 1 : (1u << (32 - *prefix));
    if (*prefix <= 30) {
      // Without the network and broadcast addresses.
      spec.first += 1;
      spec.count -= 2;
    }
    return spec;
  }
  if (const std::size_t colon = host.find(':'); colon != std::string_view::npos) {
    const auto port = ParseNumber(host.substr(colon + 1), 65535);
    if (!port || *port == 0) {
      return Fail(ErrorCode::kInvalidArgument,
                  fmt::format("target '{}': the port must be 1-65535", text));
    }
    spec.port = static_cast<std::uint16_t>(*port);
    host = host.substr(0, colon);
  }
  if (const auto address = ParseIpv4(host)) {
    spec.first = *address;
    return spec;
  }
  const bool numeric = !host.empty() && host.find_first_not_of("0123456789.") == host.npos;
  if (numeric || !ValidHostname(host)) {
    return Fail(ErrorCode::kInvalidArgument,
                fmt::format("target '{}': not an IPv4 address, host name or CIDR block", text));
  }
  spec.hostname = std::string(host);
  return spec;
}

base::Result<std::vector<ScanTarget>> ExpandTargets(const std::vector<std::string>& texts,
                                                    const std::vector<std::uint16_t>& ports,
                                                    bool allow_public, const Resolver& resolve) {
  if (texts.empty()) return Fail(ErrorCode::kInvalidArgument, "no target given");
  std::map<Ipv4, std::set<std::uint16_t>> hosts;
  for (const std::string& text : texts) {
    CAMGUARD_TRY(TargetSpec spec, ParseTarget(text));
    std::vector<Ipv4> addresses;
    if (!spec.hostname.empty()) {
      if (!resolve) return Fail(ErrorCode::kInvalidArgument, "host names cannot be resolved");
      auto resolved = resolve(spec.hostname);
      if (!resolved) return base::Wrap(resolved.error(), fmt::format("target '{}'", text));
      if (resolved->empty()) {
        return Fail(ErrorCode::kNotFound, fmt::format("target '{}': no IPv4 address", text));
      }
      addresses = std::move(*resolved);
    } else {
      for (std::uint32_t i = 0; i < spec.count; ++i) addresses.push_back(spec.first + i);
    }
    const bool block = spec.count > 1;
    for (Ipv4 address : addresses) {
      const AddressScope scope = ScopeOf(address);
      if (scope == AddressScope::kUnusable) {
        if (block) continue;  // a /31 or /32 inside an odd range: skip, do not fail
        return Fail(
            ErrorCode::kInvalidArgument,
            fmt::format("target '{}': {} is {}", text, FormatIpv4(address), ScopeText(scope)));
      }
      if (scope == AddressScope::kPublic && !allow_public) {
        return Fail(ErrorCode::kPermissionDenied,
                    fmt::format("target '{}': {} is {}; audit only cameras you own, and pass "
                                "--allow-public to scan a public address",
                                text, FormatIpv4(address), ScopeText(scope)));
      }
      auto& set = hosts[address];
      if (spec.port) {
        set.insert(*spec.port);
      } else {
        set.insert(ports.begin(), ports.end());
      }
      if (hosts.size() > kMaxHosts) {
        return Fail(ErrorCode::kInvalidArgument,
                    fmt::format("more than {} addresses in the targets", kMaxHosts));
      }
    }
  }
  std::vector<ScanTarget> out;
  for (auto& [address, set] : hosts) {
    if (set.empty()) continue;
    out.push_back({address, std::vector<std::uint16_t>(set.begin(), set.end())});
  }
  return out;
}

}  // namespace camguard::scan
