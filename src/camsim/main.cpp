// SPDX-License-Identifier: Apache-2.0
// The camsim executable: N simulated IP cameras in one process (see docs/camsim.md).

// GCC 12 reports a "potential null pointer dereference" inside CLI11 2.3's detail::split
// (inlined std::string moves); the code is CLI11's, not ours, and the check stays on elsewhere.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif
#include <CLI/CLI.hpp>
#include <arpa/inet.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>

#include "base/clock.h"
#include "camsim/server.h"
#include "crypto/crypto.h"

#ifndef CAMSIM_DEFAULT_CLIPS_DIR
#define CAMSIM_DEFAULT_CLIPS_DIR "camsim-clips"
#endif

namespace {

using camguard::camsim::AuthSchemes;

constexpr const char* kDescription = R"(camsim: simulated IP cameras for camguard's demo, tests and benchmarks.

Starts N cameras in one process. Camera i listens on its own loopback address (--bind, then the
next addresses: 127.77.0.1, 127.77.0.2, ...; all of 127.0.0.0/8 is loopback on Linux) and serves
RTSP 1.0 at rtsp://ADDRESS:PORT/main (H.264 1920x1080 25 fps ~3 Mbit/s) and /sub (640x360 15 fps
~0.5 Mbit/s), looping pre-encoded clips in real time over TCP (interleaved). Every camera has its
own random password unless --password is given; requests other than OPTIONS need Digest (MD5)
authentication (--rtsp-auth basic|both also allows Basic).

On start camsim prints one JSON line per camera on stdout (address, RTSP URLs without
credentials, username, password, profile) and then serves until SIGINT or SIGTERM.

Clips come from tools/make-clips (built as the CMake target camsim_clips into
<build>/camsim-clips); --clips points elsewhere.

Example:
  camsim --cameras 2
  ffprobe -rtsp_transport tcp 'rtsp://admin:PASSWORD@127.77.0.1:8554/main'
)";

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += fmt::format("\\u{:04x}", u);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

void RaiseFileLimit() {
  // Each camera needs a listening socket and each client a connection.
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &limit);
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App cli{kDescription, "camsim"};
  int camera_count = 1;
  std::string bind = "127.77.0.1";
  int rtsp_port = 8554;
  std::string clips_dir = CAMSIM_DEFAULT_CLIPS_DIR;
  std::string view = "home";
  std::string user = "admin";
  std::string password;
  std::string auth = "digest";
  cli.add_option("--cameras", camera_count, "number of cameras")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cli.add_option("--bind", bind, "IPv4 address of camera 1; camera i gets the i-th next address")
      ->capture_default_str();
  cli.add_option("--rtsp-port", rtsp_port, "RTSP port on every camera address (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cli.add_option("--clips", clips_dir, "directory with <view>_main.h264 and <view>_sub.h264")
      ->capture_default_str();
  cli.add_option("--view", view, "which clip pair to show (home, left, right, down, covered)")
      ->capture_default_str();
  cli.add_option("--user", user, "camera user name")->capture_default_str();
  cli.add_option("--password", password,
                 "password of every camera (default: a random strong password per camera)");
  cli.add_option("--rtsp-auth", auth, "RTSP authentication schemes accepted: digest, basic, both")
      ->capture_default_str();
  cli.footer("Part of camguard. Documentation: docs/camsim.md");
  CLI11_PARSE(cli, argc, argv);

  if (!camguard::crypto::Initialize()) {
    std::fprintf(stderr, "camsim: cannot initialize the crypto library\n");
    return 1;
  }
  in_addr first{};
  if (::inet_pton(AF_INET, bind.c_str(), &first) != 1) {
    std::fprintf(stderr, "camsim: --bind must be an IPv4 address\n");
    return 2;
  }
  const std::uint32_t first_host = ntohl(first.s_addr);
  if (first_host + static_cast<std::uint64_t>(camera_count) - 1 > 0xFFFFFFFEULL) {
    std::fprintf(stderr, "camsim: not enough addresses after --bind\n");
    return 2;
  }
  if (auth != "digest" && auth != "basic" && auth != "both") {
    std::fprintf(stderr, "camsim: --rtsp-auth must be digest, basic or both\n");
    return 2;
  }
  if (user.empty() || user.find(':') != std::string::npos) {
    std::fprintf(stderr, "camsim: --user must be non-empty and contain no ':'\n");
    return 2;
  }

  auto main_clip = camguard::camsim::PacketizedClip::Load(clips_dir + "/" + view + "_main.h264");
  auto sub_clip = camguard::camsim::PacketizedClip::Load(clips_dir + "/" + view + "_sub.h264");
  for (const auto* clip : {&main_clip, &sub_clip}) {
    if (!*clip) {
      std::fprintf(stderr, "camsim: %s (run tools/make-clips DIR and pass --clips DIR)\n",
                   clip->error().message.c_str());
      return 1;
    }
  }
  camguard::camsim::StreamClips clips{
      std::make_shared<const camguard::camsim::PacketizedClip>(std::move(*main_clip)),
      std::make_shared<const camguard::camsim::PacketizedClip>(std::move(*sub_clip))};

  const AuthSchemes schemes = auth == "basic"  ? AuthSchemes::kBasic
                              : auth == "both" ? AuthSchemes::kDigestAndBasic
                                               : AuthSchemes::kDigest;
  std::vector<camguard::camsim::CameraOptions> cameras;
  std::vector<std::string> addresses;
  for (int i = 0; i < camera_count; ++i) {
    in_addr addr{};
    addr.s_addr = htonl(first_host + static_cast<std::uint32_t>(i));
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &addr, text, sizeof text);
    camguard::camsim::CameraOptions options;
    options.address = text;
    options.rtsp_port = static_cast<std::uint16_t>(rtsp_port);
    options.username = user;
    // 18 random bytes → 24 base64url characters, 144 bits.
    options.password = camguard::base::Redacted<std::string>(
        password.empty() ? camguard::crypto::RandomToken(18) : password);
    options.auth = schemes;
    addresses.emplace_back(text);
    cameras.push_back(std::move(options));
  }
  std::vector<std::string> passwords;
  for (const auto& options : cameras) passwords.push_back(options.password.Reveal());

  // Signals arrive as readable bytes on a signalfd watched by the event loop.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  ::sigprocmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);
  const int stop_fd = ::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK);
  if (stop_fd < 0) {
    std::perror("camsim: signalfd");
    return 1;
  }
  RaiseFileLimit();

  camguard::base::SystemClock clock;
  auto simulator = camguard::camsim::Simulator::Create(std::move(cameras), clips, clock);
  if (!simulator) {
    std::fprintf(stderr, "camsim: %s\n", simulator.error().message.c_str());
    return 1;
  }
  for (int i = 0; i < camera_count; ++i) {
    const auto index = static_cast<std::size_t>(i);
    const std::uint16_t port = (*simulator)->rtsp_port(index);
    const std::string base = fmt::format("rtsp://{}:{}", addresses[index], port);
    // The credentials are printed on purpose: they are the simulated camera's, for the test
    // or demo that started it.
    std::printf(
        "{\"camera\":%d,\"address\":%s,\"rtsp_port\":%u,\"rtsp_main\":%s,\"rtsp_sub\":%s,"
        "\"username\":%s,\"password\":%s,\"rtsp_auth\":%s,\"profile\":\"hardened\","
        "\"view\":%s}\n",
        i + 1, JsonString(addresses[index]).c_str(), port, JsonString(base + "/main").c_str(),
        JsonString(base + "/sub").c_str(), JsonString(user).c_str(),
        JsonString(passwords[index]).c_str(), JsonString(auth).c_str(), JsonString(view).c_str());
  }
  std::fflush(stdout);

  auto status = (*simulator)->Run(stop_fd);
  ::close(stop_fd);
  if (!status) {
    std::fprintf(stderr, "camsim: %s\n", status.error().message.c_str());
    return 1;
  }
  return 0;
}
