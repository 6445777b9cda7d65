// SPDX-License-Identifier: Apache-2.0
// Audit targets, pure: "host", "host:port" or an IPv4 CIDR block, turned into a bounded list of
// addresses with the ports to scan on each. Only addresses the owner plausibly owns are
// accepted (loopback, RFC 1918, link-local, shared CGN space) unless public ones are allowed
// explicitly; network, broadcast, multicast and reserved addresses are never scanned.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"

namespace camguard::scan {

using Ipv4 = std::uint32_t;  // host byte order

std::optional<Ipv4> ParseIpv4(std::string_view text);  // dotted quad, no leading zeros
std::string FormatIpv4(Ipv4 address);

enum class AddressScope { kLoopback, kPrivate, kLinkLocal, kSharedCgn, kPublic, kUnusable };
AddressScope ScopeOf(Ipv4 address);

inline constexpr int kMinPrefixLength = 22;     // the widest block: 1024 addresses
inline constexpr std::size_t kMaxHosts = 1024;  // across all targets
inline constexpr std::size_t kMaxPorts = 256;

// Camera ports scanned when a target names none: RTSP, web, HTTPS, telnet, vendor SDKs.
const std::vector<std::uint16_t>& DefaultPorts();

// "554,8554,80-90": numbers 1..65535, ranges, no duplicates in the result (sorted).
base::Result<std::vector<std::uint16_t>> ParsePortList(std::string_view text);

struct TargetSpec {
  std::string text;      // as given
  std::string hostname;  // set when the host is a name to resolve; then `first` is 0
  Ipv4 first = 0;
  std::uint32_t count = 1;  // addresses from `first`
  std::optional<std::uint16_t> port;
};
base::Result<TargetSpec> ParseTarget(std::string_view text);

struct ScanTarget {
  Ipv4 address = 0;
  std::vector<std::uint16_t> ports;  // sorted
};

// Resolves a host name to IPv4 addresses (getaddrinfo in the command, a table in tests).
using Resolver = std::function<base::Result<std::vector<Ipv4>>(const std::string& hostname)>;

// Every target expanded, deduplicated (ports of the same address merged) and checked.
base::Result<std::vector<ScanTarget>> ExpandTargets(const std::vector<std::string>& texts,
                                                    const std::vector<std::uint16_t>& ports,
                                                    bool allow_public, const Resolver& resolve);

}  // namespace camguard::scan
