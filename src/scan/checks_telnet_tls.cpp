// SPDX-License-Identifier: Apache-2.0
// Telnet (open at all, and default root passwords) and TLS (protocol versions a probe that can
// still speak TLS 1.0 gets, and the certificate).
#include <fmt/format.h>
#include <openssl/ssl.h>

#include "scan/certificate_check.h"
#include "scan/host_auditor.h"

namespace camguard::scan {
namespace {

// A telnet dialogue on one connection: reads until the server waits for input.
class TelnetDialogue {
 public:
  TelnetDialogue(Stream& stream, Millis timeout) : stream_(stream), timeout_(timeout) {}

  // Reads until the text since the last Send asks for something (or nothing more comes).
  TelnetState ReadUntilPrompt() {
    const Deadline deadline = SteadyClock::now() + timeout_;
    TelnetState state = TelnetState::kNothing;
    while (SteadyClock::now() < deadline && text_.size() < 8192) {
      char buffer[1024];
      // Short reads: a prompt has no terminator, so silence after it ends the wait.
      const Deadline slice = std::min(deadline, SteadyClock::now() + Millis(300));
      auto n = stream_.Read(buffer, sizeof buffer, slice);
      if (!n) {
        if (n.error().code != base::ErrorCode::kDeadlineExceeded) break;
        state = ClassifyTelnet(text_);
        if (state != TelnetState::kNothing) break;
        continue;
      }
      if (*n == 0) {
        closed_ = true;
        break;
      }
      const TelnetInput input = ProcessTelnet(std::string_view(buffer, *n));
      if (!input.replies.empty()) (void)stream_.Write(input.replies, deadline);
      text_ += input.text;
      state = ClassifyTelnet(text_);
      if (state == TelnetState::kLoginPrompt || state == TelnetState::kPasswordPrompt) break;
    }
    return ClassifyTelnet(text_);
  }

  bool Send(std::string_view line) {
    text_.clear();
    return static_cast<bool>(
        stream_.Write(std::string(line) + "\r\n", SteadyClock::now() + timeout_));
  }
  const std::string& text() const { return text_; }
  bool closed() const { return closed_; }

 private:
  Stream& stream_;
  Millis timeout_;
  std::string text_;
  bool closed_ = false;
};

}  // namespace

void HostAuditor::TelnetChecks(ServiceState& state) {
  Ran(check::kTelnetOpen);
  AddFinding(check::kTelnetOpen, state,
             fmt::format("port {} answers as a telnet server: '{}'", state.service.port,
                         state.service.banner.empty() ? std::string("(option negotiation)")
                                                      : state.service.banner));
  BannerCheck(state, "the telnet greeting");

  Ran(check::kDefaultCredentials);
  const int budget = settings_.brute_force_test ? static_cast<int>(TelnetCredentials().size())
                                                : settings_.login_failure_budget;
  std::unique_ptr<Stream> stream;
  std::optional<TelnetDialogue> dialogue;
  TelnetState at = TelnetState::kNothing;
  for (const CredentialPair& pair : TelnetCredentials()) {
    if (state.failures >= budget) {
      AddNote(fmt::format("{}: credential check stopped after {} wrong passwords", Url(state),
                          state.failures));
      return;
    }
    if (!dialogue || dialogue->closed() ||
        (at != TelnetState::kLoginPrompt && at != TelnetState::kRejected)) {
      dialogue.reset();
      auto connected = context_.Connect(state.service.port, false);
      if (!connected) {
        AddNote(
            fmt::format("{}: cannot connect again ({})", Url(state), connected.error().message));
        return;
      }
      stream = std::move(*connected);
      dialogue.emplace(*stream, context_.timeout());
      at = dialogue->ReadUntilPrompt();
      if (at == TelnetState::kShell) {
        AddFinding(check::kDefaultCredentials, state,
                   fmt::format("telnet gives a shell without any login: '{}'",
                               Printable(dialogue->text(), 120)));
        return;
      }
      if (at != TelnetState::kLoginPrompt) {
        AddNote(fmt::format("{}: no login prompt ('{}'); credential check skipped", Url(state),
                            Printable(dialogue->text(), 80)));
        return;
      }
    }
    context_.Note(state.service.port, fmt::format("telnet login as '{}'", pair.username));
    dialogue->Send(pair.username);
    at = dialogue->ReadUntilPrompt();
    if (at == TelnetState::kPasswordPrompt) {
      dialogue->Send(pair.password);
      at = dialogue->ReadUntilPrompt();
    }
    if (at == TelnetState::kShell) {
      AddFinding(
          check::kDefaultCredentials, state,
          fmt::format("telnet login '{}' with {} accepted: the camera answered '{}'", pair.username,
                      pair.password.empty() ? std::string("an empty password")
                                            : fmt::format("password '{}'", pair.password),
                      Printable(dialogue->text(), 80)));
      dialogue->Send("exit");
      return;
    }
    ++state.failures;
  }
}

void HostAuditor::TlsChecks(ServiceState& state) {
  struct Version {
    int id;
    std::string_view name;
  };
  static constexpr Version kVersions[] = {{TLS1_VERSION, "TLS 1.0"},
                                          {TLS1_1_VERSION, "TLS 1.1"},
                                          {TLS1_2_VERSION, "TLS 1.2"},
                                          {TLS1_3_VERSION, "TLS 1.3"}};
  std::vector<std::string> accepted;
  std::vector<std::string> legacy;
  std::string certificate;
  for (const Version& v : kVersions) {
    TlsSession session;
    auto stream = context_.Connect(state.service.port, true, TlsRange{v.id, v.id}, &session);
    context_.Note(state.service.port,
                  fmt::format("TLS handshake limited to {} → {}", v.name,
                              stream ? session.cipher : stream.error().message));
    if (!stream) continue;
    const std::string entry = fmt::format("{} ({})", v.name, session.cipher);
    accepted.push_back(entry);
    if (v.id == TLS1_VERSION || v.id == TLS1_1_VERSION) legacy.push_back(entry);
    if (!session.certificate_der.empty()) certificate = session.certificate_der;
  }
  if (accepted.empty()) {
    AddNote(fmt::format("{}: no TLS version could be negotiated one at a time", Url(state)));
    return;
  }
  const auto join = [](const std::vector<std::string>& items) {
    std::string out;
    for (const std::string& i : items) out += (out.empty() ? "" : ", ") + i;
    return out;
  };
  Ran(check::kTlsLegacyProtocol);
  if (!legacy.empty()) {
    AddFinding(check::kTlsLegacyProtocol, state,
               fmt::format("handshakes accepted: {}", join(accepted)));
  }
  if (certificate.empty()) return;
  const CertificateAssessment cert = AssessCertificate(certificate, clock_.Now());
  if (!cert.parsed) return;
  Ran(check::kTlsWeakCertificate);
  Ran(check::kTlsSelfSigned);
  std::vector<std::string> weak;
  if (cert.expired) weak.push_back(fmt::format("expired on {}", cert.not_after));
  if (cert.not_yet_valid) weak.push_back("not valid yet");
  if (cert.weak_key) weak.push_back(fmt::format("{} key of {} bits", cert.key_type, cert.key_bits));
  if (cert.weak_signature) weak.push_back(fmt::format("signed with {}", cert.signature_hash));
  if (!weak.empty()) {
    AddFinding(check::kTlsWeakCertificate, state,
               fmt::format("certificate '{}': {}", cert.subject, join(weak)));
  }
  if (cert.self_signed) {
    AddFinding(check::kTlsSelfSigned, state,
               fmt::format("certificate '{}' is its own issuer ({} {} bits, valid until {})",
                           cert.subject, cert.key_type, cert.key_bits, cert.not_after));
  }
}

}  // namespace camguard::scan
