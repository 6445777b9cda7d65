// SPDX-License-Identifier: Apache-2.0
// The camsim executable: N simulated IP cameras in one process (see docs/camsim.md).

// GCC 12 reports a "potential null pointer dereference" inside CLI11 2.3's detail::split
// (inlined std::string moves); the code is CLI11's, not ours, and the check stays on elsewhere.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "base/clock.h"
#include "camsim/server.h"
#include "crypto/crypto.h"

#ifndef CAMSIM_DEFAULT_CLIPS_DIR
#define CAMSIM_DEFAULT_CLIPS_DIR "camsim-clips"
#endif

namespace {

using camguard::camsim::AuthSchemes;

constexpr const char* kDescription =
    R"(camsim: simulated IP cameras for camguard's demo, tests and benchmarks.

Starts N cameras in one process. Camera i listens on its own loopback address (--bind, then the
next addresses: 127.77.0.1, 127.77.0.2, ...; all of 127.0.0.0/8 is loopback on Linux) and serves
  - RTSP 1.0 at rtsp://ADDRESS:8554/main (H.264, or H.265 with --codec h265, 1920x1080 25 fps
    ~3 Mbit/s) and /sub (H.264 640x360 15 fps ~0.5 Mbit/s), pre-encoded clips looped in real
    time over TCP (interleaved) or UDP (unicast to the RTSP client's own address only);
  - ONVIF (SOAP 1.2) at http://ADDRESS:8080/onvif/device_service (Device, Media, PTZ), a JPEG at
    /snapshot.jpg, and a small web admin page at /.
The picture follows the simulated PTZ head (home, left, right, down views; covered when the lens
is covered), switching at keyframes. Every camera has its own random password unless
--password is given; RTSP needs Digest (MD5) authentication (--rtsp-auth basic|both also allows
Basic); ONVIF needs WS-UsernameToken or HTTP Digest except for its pre-auth operations.

Weakness profiles (--profile, for camguard audit): hardened (default), default-creds,
open-rtsp, onvif-noauth, plain-http-basic, info-leak, weak-password, no-lockout, cve-2017-7921;
combine with commas; "--profile 2=open-rtsp" sets camera 2 only. See docs/camsim.md.

On start camsim prints one JSON line per camera on stdout (addresses, URLs without credentials,
username, password, profile, codec, control and RTP ports) and then serves until SIGINT or
SIGTERM. With
--control-port, the control interface takes one command per line (camsim ctl sends them):
every injected event is printed on stdout as a JSON line with its time.

Clips come from tools/make-clips (built as the CMake target camsim_clips into
<build>/camsim-clips; the H.265 clips for --codec h265 by the target camsim_clips_hevc);
--clips points elsewhere.

Examples:
  camsim --cameras 2 --control-port 8999
  ffprobe -rtsp_transport tcp 'rtsp://admin:PASSWORD@127.77.0.1:8554/main'
  ffprobe -rtsp_transport udp 'rtsp://admin:PASSWORD@127.77.0.1:8554/sub'
  camsim ctl --port 8999 ptz 1 absolute 0.8 0     # an outsider turns camera 1
  camsim ctl --port 8999 status 1
  camsim ctl --port 8999 udp-loss 1 5            # drop 5 % of camera 1's UDP packets
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

// `camsim ctl`: sends one command line to a running camsim's control interface.
int RunControlClient(const std::string& address, int port, const std::vector<std::string>& words) {
  std::string line;
  for (const std::string& word : words) line += (line.empty() ? "" : " ") + word;
  if (line.empty()) {
    std::fprintf(stderr, "camsim ctl: no command (try: camsim ctl --port PORT help)\n");
    return 2;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::inet_pton(AF_INET, address.c_str(), &addr.sin_addr) != 1) {
    std::fprintf(stderr, "camsim ctl: --address must be an IPv4 address\n");
    return 2;
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    std::fprintf(stderr, "camsim ctl: cannot connect to %s:%d: %s\n", address.c_str(), port,
                 std::strerror(errno));
    if (fd >= 0) ::close(fd);
    return 1;
  }
  line += "\n";
  if (::send(fd, line.data(), line.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(line.size())) {
    std::fprintf(stderr, "camsim ctl: send failed\n");
    ::close(fd);
    return 1;
  }
  std::string reply;
  char buffer[4096];
  while (reply.find('\n') == std::string::npos) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    reply.append(buffer, static_cast<std::size_t>(n));
  }
  ::close(fd);
  reply = reply.substr(0, reply.find('\n'));
  if (reply.rfind("ok", 0) == 0) {
    std::printf("%s\n", reply.size() > 3 ? reply.c_str() + 3 : "");
    return 0;
  }
  std::fprintf(stderr, "camsim ctl: %s\n", reply.empty() ? "no answer" : reply.c_str());
  return 1;
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream data;
  data << in.rdbuf();
  return data.str();
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
  cli.require_subcommand(0, 1);
  int camera_count = 1;
  std::string bind = "127.77.0.1";
  int rtsp_port = 8554;
  int http_port = 8080;
  int rtp_port = 0;
  std::string codec = "h264";
  int control_port = -1;
  std::string clips_dir = CAMSIM_DEFAULT_CLIPS_DIR;
  std::string view = "auto";
  std::string user = "admin";
  std::string password;
  std::string auth = "digest";
  std::vector<std::string> profiles;
  double ptz_speed = 0.5;
  cli.add_option("--cameras", camera_count, "number of cameras")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  cli.add_option("--bind", bind, "IPv4 address of camera 1; camera i gets the i-th next address")
      ->capture_default_str();
  cli.add_option("--rtsp-port", rtsp_port, "RTSP port on every camera address (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cli.add_option("--http-port", http_port,
                 "HTTP (ONVIF, snapshot) port on every camera address (0: any free port)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  cli.add_option("--rtp-port", rtp_port,
                 "UDP RTP port on every camera address, RTCP on the next one (even; 0: any free "
                 "pair)")
      ->check(CLI::Range(0, 65534))
      ->capture_default_str();
  cli.add_option("--codec", codec,
                 "main stream codec: h264, or h265 (from <view>_main.h265; the sub stream stays "
                 "H.264)")
      ->capture_default_str();
  cli.add_option("--control-port", control_port,
                 "control interface port on 127.0.0.1 (0: any free port; default: none)")
      ->check(CLI::Range(0, 65535));
  cli.add_option("--clips", clips_dir,
                 "directory with <view>_main.h264 (or .h265), <view>_sub.h264, <view>.jpg")
      ->capture_default_str();
  cli.add_option("--view", view,
                 "auto (the picture follows the PTZ head) or a fixed view: home, left, right, "
                 "down, covered")
      ->capture_default_str();
  cli.add_option("--user", user, "camera user name")->capture_default_str();
  cli.add_option("--password", password,
                 "password of every camera (default: a random strong password per camera)");
  cli.add_option("--rtsp-auth", auth, "RTSP authentication schemes accepted: digest, basic, both")
      ->capture_default_str();
  cli.add_option("--profile", profiles,
                 "weakness profile(s) for every camera, or N=PROFILES for camera N (repeatable)");
  cli.add_option("--ptz-speed", ptz_speed, "PTZ pan/tilt speed in units (of [-1,1]) per second")
      ->check(CLI::Range(0.01, 100.0))
      ->capture_default_str();
  std::string ctl_address = "127.0.0.1";
  int ctl_port = 0;
  std::vector<std::string> ctl_words;
  CLI::App* ctl = cli.add_subcommand(
      "ctl", "send one command to a running camsim's control interface (try: ctl --port P help)");
  ctl->add_option("--address", ctl_address, "control interface address")->capture_default_str();
  ctl->add_option("--port", ctl_port, "control interface port")
      ->required()
      ->check(CLI::Range(1, 65535));
  ctl->add_option("command", ctl_words, "the command and its arguments")->required();
  ctl->allow_extras(false);
  cli.footer("Part of camguard. Documentation: docs/camsim.md");
  CLI11_PARSE(cli, argc, argv);
  if (*ctl) return RunControlClient(ctl_address, ctl_port, ctl_words);

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
  if (codec != "h264" && codec != "h265") {
    std::fprintf(stderr, "camsim: --codec must be h264 or h265\n");
    return 2;
  }
  if (rtp_port % 2 != 0) {
    std::fprintf(stderr, "camsim: --rtp-port must be even (RTCP uses the next port)\n");
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
  const std::vector<std::string> view_names = {"home", "left", "right", "down", "covered"};
  if (view != "auto" && std::find(view_names.begin(), view_names.end(), view) == view_names.end()) {
    std::fprintf(stderr, "camsim: --view must be auto, home, left, right, down or covered\n");
    return 2;
  }
  // Profiles: "SPEC" applies to every camera, "N=SPEC" to camera N (later entries win).
  std::vector<std::string> profile_of(static_cast<std::size_t>(camera_count), "hardened");
  for (const std::string& entry : profiles) {
    const std::size_t eq = entry.find('=');
    if (eq == std::string::npos) {
      for (auto& p : profile_of) p = entry;
      continue;
    }
    int number = 0;
    try {
      number = std::stoi(entry.substr(0, eq));
    } catch (const std::exception&) {
      number = 0;
    }
    if (number < 1 || number > camera_count) {
      std::fprintf(stderr, "camsim: --profile %s: no such camera\n", entry.c_str());
      return 2;
    }
    profile_of[static_cast<std::size_t>(number - 1)] = entry.substr(eq + 1);
  }

  const auto main_codec =
      codec == "h265" ? camguard::camsim::VideoCodec::kH265 : camguard::camsim::VideoCodec::kH264;
  camguard::camsim::SimulatorOptions options;
  for (const std::string& name : view_names) {
    auto main_clip = camguard::camsim::PacketizedClip::Load(
        clips_dir + "/" + name + "_main." + std::string(camguard::camsim::ToString(main_codec)),
        main_codec);
    auto sub_clip = camguard::camsim::PacketizedClip::Load(clips_dir + "/" + name + "_sub.h264");
    for (const auto* clip : {&main_clip, &sub_clip}) {
      if (!*clip) {
        std::fprintf(stderr, "camsim: %s (run %stools/make-clips DIR and pass --clips DIR)\n",
                     clip->error().message.c_str(),
                     main_codec == camguard::camsim::VideoCodec::kH265 ? "CAMSIM_HEVC=1 " : "");
        return 1;
      }
    }
    options.views[name] = camguard::camsim::StreamClips{
        std::make_shared<const camguard::camsim::PacketizedClip>(std::move(*main_clip)),
        std::make_shared<const camguard::camsim::PacketizedClip>(std::move(*sub_clip))};
    auto jpeg = ReadFile(clips_dir + "/" + name + ".jpg");
    if (!jpeg) {
      std::fprintf(stderr, "camsim: cannot read %s/%s.jpg (run tools/make-clips DIR)\n",
                   clips_dir.c_str(), name.c_str());
      return 1;
    }
    options.snapshots[name] = std::move(*jpeg);
  }

  const AuthSchemes schemes = auth == "basic"  ? AuthSchemes::kBasic
                              : auth == "both" ? AuthSchemes::kDigestAndBasic
                                               : AuthSchemes::kDigest;
  std::vector<std::string> addresses;
  for (int i = 0; i < camera_count; ++i) {
    const auto index = static_cast<std::size_t>(i);
    in_addr addr{};
    addr.s_addr = htonl(first_host + static_cast<std::uint32_t>(i));
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &addr, text, sizeof text);
    auto weaknesses = camguard::camsim::ParseProfiles(profile_of[index]);
    if (!weaknesses) {
      std::fprintf(stderr, "camsim: --profile: %s\n", weaknesses.error().message.c_str());
      return 2;
    }
    camguard::camsim::CameraOptions camera;
    camera.address = text;
    camera.rtsp_port = static_cast<std::uint16_t>(rtsp_port);
    camera.http_port = static_cast<std::uint16_t>(http_port);
    camera.rtp_port = static_cast<std::uint16_t>(rtp_port);
    camera.username = user;
    std::string secret = password.empty() ? camguard::crypto::RandomToken(18) : password;
    if (weaknesses->weak_password) {
      secret = fmt::format("{:06d}", camguard::crypto::RandomUniform(1'000'000));
    }
    if (weaknesses->default_creds) {
      camera.username = "admin";
      secret = "admin";
    }
    // 18 random bytes → 24 base64url characters, 144 bits.
    camera.password = camguard::base::Redacted<std::string>(secret);
    camera.auth = schemes;
    camera.weaknesses = *weaknesses;
    camera.profile_text = profile_of[index];
    camera.initial_view = view;
    camera.ptz_speed = ptz_speed;
    addresses.emplace_back(text);
    options.cameras.push_back(std::move(camera));
  }
  std::vector<std::string> users;
  std::vector<std::string> passwords;
  for (const auto& camera : options.cameras) {
    users.push_back(camera.username);
    passwords.push_back(camera.password.Reveal());
  }
  if (control_port >= 0) options.control_port = static_cast<std::uint16_t>(control_port);
  options.on_event = [](const std::string& line) {
    std::printf("%s\n", line.c_str());
    std::fflush(stdout);
  };

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
  auto simulator = camguard::camsim::Simulator::Create(std::move(options), clock);
  if (!simulator) {
    std::fprintf(stderr, "camsim: %s\n", simulator.error().message.c_str());
    return 1;
  }
  for (int i = 0; i < camera_count; ++i) {
    const auto index = static_cast<std::size_t>(i);
    const std::uint16_t port = (*simulator)->rtsp_port(index);
    const std::uint16_t web = (*simulator)->http_port(index);
    const std::string base = fmt::format("rtsp://{}:{}", addresses[index], port);
    const std::string http = fmt::format("http://{}:{}", addresses[index], web);
    // The credentials are printed on purpose: they are the simulated camera's, for the test
    // or demo that started it.
    std::printf(
        "{\"camera\":%d,\"address\":%s,\"rtsp_port\":%u,\"rtsp_main\":%s,\"rtsp_sub\":%s,"
        "\"http_port\":%u,\"onvif\":%s,\"snapshot\":%s,\"username\":%s,\"password\":%s,"
        "\"rtsp_auth\":%s,\"profile\":%s,\"view\":%s,\"control_port\":%u,\"codec\":%s,"
        "\"rtp_port\":%u}\n",
        i + 1, JsonString(addresses[index]).c_str(), port, JsonString(base + "/main").c_str(),
        JsonString(base + "/sub").c_str(), web, JsonString(http + "/onvif/device_service").c_str(),
        JsonString(http + "/snapshot.jpg").c_str(), JsonString(users[index]).c_str(),
        JsonString(passwords[index]).c_str(), JsonString(auth).c_str(),
        JsonString(profile_of[index]).c_str(), JsonString(view).c_str(),
        (*simulator)->control_port(), JsonString(codec).c_str(), (*simulator)->rtp_port(index));
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
