// SPDX-License-Identifier: Apache-2.0
// Fuzz target: ParseConfig and ApplyListenFlag on arbitrary bytes. Besides "no crash, no
// sanitizer report", it checks that every accepted configuration satisfies the documented
// rules, so a parser change that lets an invalid value through is caught too.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "config/config.h"

namespace {

using camguard::config::Config;

void Require(bool condition, const char* what) {
  if (!condition) {
    std::fprintf(stderr, "config_fuzz: invariant violated: %s\n", what);
    std::abort();
  }
}

// `from_flag`: --listen may ask for port 0 (an ephemeral port); the file may not.
void CheckInvariants(const Config& config, bool from_flag = false) {
  Require(from_flag || config.listen_port >= 1, "listen port in 1..65535");
  Require(!config.listen_host.empty(), "listen host not empty");
  const bool weak = config.allow_weak_password_hashing;
  Require(config.argon2_memory_kib >= (weak ? camguard::config::kMinWeakArgon2MemoryKib
                                            : camguard::config::kMinArgon2MemoryKib),
          "argon2 memory floor");
  Require(config.argon2_memory_kib <= camguard::config::kMaxArgon2MemoryKib,
          "argon2 memory ceiling");
  Require(config.argon2_iterations >= (weak ? camguard::config::kMinWeakArgon2Iterations
                                            : camguard::config::kMinArgon2Iterations),
          "argon2 iterations floor");
  Require(config.session_idle_timeout >= camguard::config::kMinSessionTimeout,
          "idle timeout >= 60 s");
  Require(config.session_idle_timeout <= config.session_absolute_timeout, "idle <= absolute");
  Require(config.tls_certificate.has_value() == config.tls_private_key.has_value(),
          "certificate and key both or neither");
  for (const auto& origin : config.allowed_origins) {
    Require(origin.rfind("https://", 0) == 0, "origins are https");
  }
  Require(config.log_format == "text" || config.log_format == "json", "log format");

  // The listen address must survive a round trip through the flag syntax.
  const bool v6 = config.listen_host.find(':') != std::string::npos;
  const std::string listen = (v6 ? "[" + config.listen_host + "]" : config.listen_host) + ":" +
                             std::to_string(config.listen_port);
  Config copy;
  Require(camguard::config::ApplyListenFlag(copy, listen).has_value(), "listen round trip");
  Require(copy.listen_host == config.listen_host && copy.listen_port == config.listen_port,
          "listen round trip value");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const auto config = camguard::config::ParseConfig(text, "fuzz.toml");
  if (config) {
    CheckInvariants(*config);
  } else {
    Require(!config.error().message.empty(), "errors have a message");
    // Messages name the source and stay one line whatever the input contains.
    Require(config.error().message.rfind("fuzz.toml", 0) == 0, "message names the source");
    Require(config.error().message.find_first_of("\r\n") == std::string::npos,
            "message is one line");
  }

  Config flag_config;
  if (camguard::config::ApplyListenFlag(flag_config, text)) {
    CheckInvariants(flag_config, /*from_flag=*/true);
  } else {
    Require(flag_config == Config{}, "failed ApplyListenFlag leaves the config unchanged");
  }
  return 0;
}
