// SPDX-License-Identifier: Apache-2.0
#include "scan/report.h"

#include <algorithm>
#include <cstdint>
#include <utility>
#include <variant>

#include <fmt/format.h>

namespace camguard::scan {
namespace {

// Valid UTF-8 out: every byte that does not start or continue a well-formed sequence becomes
// U+FFFD, so banners and evidence from hostile cameras cannot break the documents.
std::string SanitizeUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      out += static_cast<char>(c);
      ++i;
      continue;
    }
    if ((c & 0xe0) == 0xc0) {
      extra = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3;
      cp = c & 0x07;
    } else {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    bool ok = i + extra < s.size();
    for (std::size_t k = 1; ok && k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xc0) != 0x80) {
        ok = false;
      } else {
        cp = (cp << 6) | (cc & 0x3f);
      }
    }
    if (ok && ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
               (extra == 3 && cp < 0x10000) || (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)) {
      ok = false;
    }
    if (!ok) {
      out += "\xEF\xBF\xBD";
      ++i;
      continue;
    }
    out.append(s.substr(i, extra + 1));
    i += extra + 1;
  }
  return out;
}

// A small JSON value tree, enough for the report (the module keeps away from JSON libraries).
struct Json;
using JsonArray = std::vector<Json>;
using JsonObject = std::vector<std::pair<std::string, Json>>;
struct Json {
  std::variant<std::nullptr_t, bool, std::int64_t, std::string, JsonArray, JsonObject> value;
  Json() : value(nullptr) {}
  Json(std::nullptr_t) : value(nullptr) {}
  Json(bool b) : value(b) {}
  Json(int i) : value(static_cast<std::int64_t>(i)) {}
  Json(std::int64_t i) : value(i) {}
  Json(std::size_t i) : value(static_cast<std::int64_t>(i)) {}
  Json(const char* s) : value(std::string(s)) {}
  Json(std::string s) : value(std::move(s)) {}
  Json(std::string_view s) : value(std::string(s)) {}
  Json(JsonArray a) : value(std::move(a)) {}
  Json(JsonObject o) : value(std::move(o)) {}
};

template <typename T>
Json Optional(const std::optional<T>& v) {
  return v ? Json(*v) : Json(nullptr);
}

bool IsScalar(const Json& j) {
  return !std::holds_alternative<JsonArray>(j.value) &&
         !std::holds_alternative<JsonObject>(j.value);
}

void Write(const Json& j, int indent, std::string& out) {
  const std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
  const std::string inner(static_cast<std::size_t>(indent + 1) * 2, ' ');
  if (std::holds_alternative<std::nullptr_t>(j.value)) {
    out += "null";
  } else if (const bool* b = std::get_if<bool>(&j.value)) {
    out += *b ? "true" : "false";
  } else if (const std::int64_t* i = std::get_if<std::int64_t>(&j.value)) {
    out += std::to_string(*i);
  } else if (const std::string* s = std::get_if<std::string>(&j.value)) {
    out += JsonQuote(*s);
  } else if (const JsonArray* a = std::get_if<JsonArray>(&j.value)) {
    if (a->empty()) {
      out += "[]";
      return;
    }
    const bool flat = std::all_of(a->begin(), a->end(), IsScalar);
    out += flat ? "[" : "[\n";
    for (std::size_t k = 0; k < a->size(); ++k) {
      if (!flat) out += inner;
      Write((*a)[k], indent + 1, out);
      if (k + 1 < a->size()) out += flat ? ", " : ",\n";
    }
    out += flat ? "]" : "\n" + pad + "]";
  } else if (const JsonObject* o = std::get_if<JsonObject>(&j.value)) {
    if (o->empty()) {
      out += "{}";
      return;
    }
    out += "{\n";
    for (std::size_t k = 0; k < o->size(); ++k) {
      out += inner + JsonQuote((*o)[k].first) + ": ";
      Write((*o)[k].second, indent + 1, out);
      out += k + 1 < o->size() ? ",\n" : "\n";
    }
    out += pad + "}";
  }
}

JsonArray Strings(const std::vector<std::string>& items) {
  JsonArray out;
  for (const std::string& s : items) out.emplace_back(s);
  return out;
}

JsonArray Views(const std::vector<std::string_view>& items) {
  JsonArray out;
  for (std::string_view s : items) out.emplace_back(s);
  return out;
}

std::optional<std::string> SeverityText(std::optional<Severity> s) {
  if (!s) return std::nullopt;
  return std::string(ToString(*s));
}

std::string Stars(int stars) {
  std::string out;
  for (int i = 1; i <= 5; ++i) out += i <= stars ? "★" : "☆";
  return out;
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out += separator;
    out += s;
  }
  return out;
}

// Word wrap for the terminal: `first` prefix on the first line, `rest` on the others.
std::string Wrap(std::string_view text, std::string_view first, std::string_view rest,
                 std::size_t width = 96) {
  std::string out(first);
  std::size_t column = first.size();
  bool line_start = true;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    const std::size_t end = std::min(text.find(' ', i), text.size());
    const std::string_view word = text.substr(i, end - i);
    i = end;
    if (word.empty()) continue;
    if (!line_start && column + 1 + word.size() > width) {
      out += "\n";
      out += rest;
      column = rest.size();
      line_start = true;
    }
    if (!line_start) {
      out += ' ';
      ++column;
    }
    out += word;
    column += word.size();
    line_start = false;
  }
  out += "\n";
  return out;
}

std::string SeverityWord(Severity s) {
  std::string word(ToString(s));
  for (char& c : word) c = static_cast<char>(c - 'a' + 'A');
  return word;
}

std::string PlainVerdict(const CameraReport& camera) {
  const Verdict& v = camera.verdict;
  if (v.stars == 0) return "no camera service recognised";
  if (!v.worst || *v.worst <= Severity::kLow) return "no serious problem found over the network";
  switch (*v.worst) {
    case Severity::kCritical: return "UNSAFE: anyone on the network can get in — fix this first";
    case Severity::kHigh: return "at risk: serious weaknesses to fix";
    case Severity::kMedium: return "fair: weaknesses that matter on a shared network";
    default: return "";
  }
}

}  // namespace

std::string JsonQuote(std::string_view raw) {
  const std::string text = SanitizeUtf8(raw);
  std::string out = "\"";
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string HtmlEscape(std::string_view raw) {
  const std::string text = SanitizeUtf8(raw);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
          out += "\xEF\xBF\xBD";
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::optional<Severity> AuditReport::Worst() const {
  std::optional<Severity> worst;
  for (const CameraReport& c : cameras) {
    if (c.verdict.worst && (!worst || *c.verdict.worst > *worst)) worst = c.verdict.worst;
  }
  return worst;
}

std::string RenderJson(const AuditReport& report) {
  JsonArray ports;
  for (std::uint16_t p : report.options.ports) ports.emplace_back(static_cast<int>(p));
  JsonArray cameras;
  for (const CameraReport& camera : report.cameras) {
    const HostResult& host = camera.host;
    JsonArray services;
    for (const Service& s : host.services) {
      services.emplace_back(JsonObject{{"port", static_cast<int>(s.port)},
                                       {"protocol", ToString(s.protocol)},
                                       {"tls", s.tls},
                                       {"onvif", s.onvif},
                                       {"url", s.Url(host.address)},
                                       {"banner", s.banner}});
    }
    JsonArray findings;
    for (const Finding& f : host.findings) {
      const Check* c = FindCheck(f.check);
      findings.emplace_back(
          JsonObject{{"check", f.check},
                     {"title", c != nullptr ? c->title : std::string_view()},
                     {"severity", ToString(f.severity)},
                     {"service", f.service},
                     {"evidence", f.evidence},
                     {"provisions", c != nullptr ? Views(c->provisions) : JsonArray{}},
                     {"aspect", c != nullptr ? AspectId(c->aspect) : std::string_view()},
                     {"risk", c != nullptr ? c->risk : std::string_view()},
                     {"fix", c != nullptr ? c->fix : std::string_view()}});
    }
    JsonArray provisions;
    for (const ProvisionResult& p : camera.verdict.provisions) {
      const Provision* info = FindProvision(p.id);
      provisions.emplace_back(
          JsonObject{{"id", p.id},
                     {"title", info != nullptr ? info->title : std::string_view()},
                     {"verdict", ToString(p.verdict)},
                     {"failed_checks", Strings(p.failed_checks)}});
    }
    JsonArray aspects;
    for (const AspectScore& a : camera.verdict.aspects) {
      aspects.emplace_back(JsonObject{{"id", AspectId(a.aspect)},
                                      {"name", AspectName(a.aspect)},
                                      {"network_testable", IsNetworkTestable(a.aspect)},
                                      {"score", Optional(a.score)}});
    }
    cameras.emplace_back(JsonObject{
        {"address", host.address},
        {"stars", camera.verdict.stars == 0 ? Json(nullptr) : Json(camera.verdict.stars)},
        {"stars_cap", camera.verdict.cap.empty() ? Json(nullptr) : Json(camera.verdict.cap)},
        {"worst_severity", Optional(SeverityText(camera.verdict.worst))},
        {"meets_network_baseline", camera.verdict.meets_network_baseline},
        {"services", std::move(services)},
        {"findings", std::move(findings)},
        {"provisions", std::move(provisions)},
        {"aspects", std::move(aspects)},
        {"checks_run",
         Strings(std::vector<std::string>(host.checks_run.begin(), host.checks_run.end()))},
        {"notes", Strings(host.notes)},
        {"probes", host.probes},
        {"duration_ms", host.duration_ms}});
  }
  JsonArray not_testable;
  for (const Provision& p : Provisions()) {
    if (p.network_testable) continue;
    not_testable.emplace_back(JsonObject{{"id", p.id}, {"title", p.title}, {"why", p.why_not}});
  }
  const Json root =
      JsonObject{{"schema_version", kReportSchemaVersion},
                 {"tool", "camguard audit"},
                 {"tool_version", report.tool_version},
                 {"started_at", report.started_at},
                 {"finished_at", report.finished_at},
                 {"duration_ms", report.duration_ms},
                 {"options", JsonObject{{"targets", Strings(report.options.targets)},
                                        {"ports", std::move(ports)},
                                        {"timeout_ms", report.options.timeout_ms},
                                        {"concurrency", report.options.concurrency},
                                        {"brute_force_test", report.options.brute_force_test},
                                        {"allow_public", report.options.allow_public}}},
                 {"addresses_scanned", report.addresses_scanned},
                 {"ports_probed", report.ports_probed},
                 {"worst_severity", Optional(SeverityText(report.Worst()))},
                 {"exit_code", report.ExitCode()},
                 {"cameras", std::move(cameras)},
                 {"not_testable_over_network", std::move(not_testable)}};
  std::string out;
  Write(root, 0, out);
  out += "\n";
  return out;
}

std::string RenderSummary(const AuditReport& report) {
  std::string out;
  out += fmt::format("camguard audit: {} address{} scanned, {} with open ports, {:.1f} s\n",
                     report.addresses_scanned, report.addresses_scanned == 1 ? "" : "es",
                     report.cameras.size(), static_cast<double>(report.duration_ms) / 1000.0);
  for (const CameraReport& camera : report.cameras) {
    const HostResult& host = camera.host;
    const Verdict& v = camera.verdict;
    out += "\n";
    if (v.stars > 0) {
      out += fmt::format("{}  {} {}/5  {}\n", host.address, Stars(v.stars), v.stars,
                         PlainVerdict(camera));
    } else {
      out += fmt::format("{}  not rated  {}\n", host.address, PlainVerdict(camera));
    }
    std::vector<std::string> services;
    for (const Service& s : host.services) {
      std::string text = s.Url(host.address);
      std::vector<std::string> tags;
      if (s.onvif) tags.emplace_back("ONVIF");
      if (!s.banner.empty()) tags.push_back(SanitizeUtf8(s.banner.substr(0, 40)));
      if (!tags.empty()) text += " (" + Join(tags, ", ") + ")";
      services.push_back(text);
    }
    out += Wrap(Join(services, ", "), "  open: ", "        ");
    for (const Finding& f : host.findings) {
      const Check* c = FindCheck(f.check);
      if (c == nullptr) continue;
      out += fmt::format("  {:<8} {}\n", SeverityWord(f.severity), c->title);
      out += Wrap(SanitizeUtf8(f.evidence), "           seen: ", "                 ");
      if (f.severity >= Severity::kLow)
        out += Wrap(c->fix, "           fix:  ", "                 ");
    }
    if (host.findings.empty() && v.stars > 0) out += "  no findings\n";
    std::vector<std::string> pass, fail, untested;
    for (const ProvisionResult& p : v.provisions) {
      (p.verdict == ProvisionVerdict::kPass   ? pass
       : p.verdict == ProvisionVerdict::kFail ? fail
                                              : untested)
          .push_back(p.id);
    }
    if (v.stars > 0) {
      out +=
          Wrap(fmt::format("EN 303 645 over the network: {} pass, {} fail{}{}, {} not tested{}{}",
                           pass.size(), fail.size(), fail.empty() ? "" : " (",
                           fail.empty() ? "" : Join(fail, ", ") + ")", untested.size(),
                           untested.empty() ? "" : " (",
                           untested.empty() ? "" : Join(untested, ", ") + ")"),
               "  ", "    ");
      std::vector<std::string> scores;
      for (const AspectScore& a : v.aspects) {
        if (a.score) scores.push_back(fmt::format("{} {}/5", AspectName(a.aspect), *a.score));
      }
      if (!scores.empty())
        out += Wrap("Consumer Council aspects: " + Join(scores, ", "), "  ", "    ");
    }
    for (const std::string& note : host.notes) {
      out += Wrap(SanitizeUtf8(note), "  note: ", "        ");
    }
  }
  std::vector<std::string> not_testable;
  for (const Provision& p : Provisions()) {
    if (!p.network_testable) not_testable.emplace_back(p.id);
  }
  out += "\n";
  out += Wrap(fmt::format("Not testable over the network (ask the maker, or check by hand): EN 303 "
                          "645 {}; Council aspects app security, stored data and hardware.",
                          Join(not_testable, ", ")),
              "", "");
  const auto worst = report.Worst();
  out +=
      fmt::format("Worst finding: {} (exit code {}).\n",
                  worst ? std::string(ToString(*worst)) : std::string("none"), report.ExitCode());
  return out;
}

std::string RenderHtml(const AuditReport& report) {
  std::string out;
  out +=
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += fmt::format("<title>Camera security audit {}</title>\n", HtmlEscape(report.started_at));
  out += R"(<style>
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f3f4f6;color:#111827}
header,main,footer{max-width:980px;margin:0 auto;padding:16px}
h1{margin:8px 0 4px;font-size:26px}
.card{background:#fff;border-radius:10px;box-shadow:0 1px 3px rgba(0,0,0,.12);margin:16px 0;padding:16px 20px;border-left:8px solid #9ca3af}
.card.critical{border-left-color:#b91c1c}.card.high{border-left-color:#ea580c}.card.medium{border-left-color:#ca8a04}.card.low,.card.info,.card.none{border-left-color:#15803d}
.card h2{margin:0;font-size:20px;font-family:ui-monospace,monospace}
.stars{font-size:26px;color:#d97706;letter-spacing:2px}
.verdict{font-weight:600}
.finding{border-top:1px solid #e5e7eb;padding:10px 0}
.finding h3{margin:0 0 4px;font-size:16px}
.badge{display:inline-block;border-radius:4px;padding:1px 7px;font-size:12px;font-weight:700;color:#fff;text-transform:uppercase;margin-right:6px}
.badge.critical{background:#b91c1c}.badge.high{background:#ea580c}.badge.medium{background:#ca8a04}.badge.low{background:#2563eb}.badge.info{background:#6b7280}
.meta{color:#4b5563;font-size:13px;margin:2px 0}
pre{white-space:pre-wrap;word-break:break-word;background:#f9fafb;border:1px solid #e5e7eb;border-radius:6px;padding:8px;font-size:13px}
table{border-collapse:collapse;margin:8px 0;font-size:14px}
td,th{border-bottom:1px solid #e5e7eb;padding:4px 10px 4px 0;text-align:left;vertical-align:top}
.pass{color:#15803d;font-weight:600}.fail{color:#b91c1c;font-weight:600}.not-testable{color:#6b7280}
footer{color:#6b7280;font-size:13px}
</style>
</head>
<body>
)";
  const auto worst = report.Worst();
  out += "<header><h1>Camera security audit</h1>\n";
  out += fmt::format(
      "<p>{} camera{} found on {} address{} · {} · {:.1f} s · worst finding: <strong>{}</strong> "
      "(exit code {})</p>\n",
      report.cameras.size(), report.cameras.size() == 1 ? "" : "s", report.addresses_scanned,
      report.addresses_scanned == 1 ? "" : "es", HtmlEscape(report.started_at),
      static_cast<double>(report.duration_ms) / 1000.0,
      worst ? HtmlEscape(ToString(*worst)) : "none", report.ExitCode());
  out += fmt::format(
      "<p class=\"meta\">Targets: {}. Tested against ETSI EN 303 645 (the "
      "provisions a network can show) and the Hong Kong Consumer Council's "
      "test aspects.</p></header>\n<main>\n",
      HtmlEscape(Join(report.options.targets, ", ")));
  for (const CameraReport& camera : report.cameras) {
    const HostResult& host = camera.host;
    const Verdict& v = camera.verdict;
    const std::string level = v.worst ? std::string(ToString(*v.worst)) : "none";
    out +=
        fmt::format("<section class=\"card {}\">\n<h2>{}</h2>\n", level, HtmlEscape(host.address));
    if (v.stars > 0) {
      out += fmt::format("<div class=\"stars\" aria-label=\"{} of 5 stars\">{}</div>\n", v.stars,
                         Stars(v.stars));
    }
    out += fmt::format("<p class=\"verdict\">{}{}</p>\n", HtmlEscape(PlainVerdict(camera)),
                       v.cap.empty() ? "" : HtmlEscape(" (stars capped: " + v.cap + ")"));
    out += "<p class=\"meta\">Open: ";
    for (std::size_t i = 0; i < host.services.size(); ++i) {
      const Service& s = host.services[i];
      out += (i == 0 ? "" : ", ") + HtmlEscape(s.Url(host.address));
      if (s.onvif) out += " (ONVIF)";
      if (!s.banner.empty()) out += " “" + HtmlEscape(s.banner) + "”";
    }
    out += "</p>\n";
    for (const Finding& f : host.findings) {
      const Check* c = FindCheck(f.check);
      if (c == nullptr) continue;
      std::vector<std::string> provisions(c->provisions.begin(), c->provisions.end());
      out += fmt::format(
          "<article class=\"finding\"><h3><span class=\"badge {0}\">{0}</span>{1}</h3>\n"
          "<p class=\"meta\">EN 303 645 {2} · {3} · {4} · check {5}</p>\n<p>{6}</p>\n"
          "<p><strong>Fix:</strong> {7}</p>\n<p class=\"meta\">What the audit saw:</p>\n"
          "<pre>{8}</pre></article>\n",
          HtmlEscape(ToString(f.severity)), HtmlEscape(c->title),
          HtmlEscape(Join(provisions, ", ")), HtmlEscape(AspectName(c->aspect)),
          HtmlEscape(f.service), HtmlEscape(f.check), HtmlEscape(c->risk), HtmlEscape(c->fix),
          HtmlEscape(f.evidence));
    }
    if (host.findings.empty()) out += "<p>No findings.</p>\n";
    if (v.stars > 0) {
      out += "<table><tr><th>Council aspect</th><th>Score</th></tr>\n";
      for (const AspectScore& a : v.aspects) {
        out += fmt::format("<tr><td>{}</td><td>{}</td></tr>\n", HtmlEscape(AspectName(a.aspect)),
                           a.score ? fmt::format("{}/5", *a.score)
                                   : std::string("<span class=\"not-testable\">not testable over "
                                                 "the network</span>"));
      }
      out += "</table>\n<table><tr><th>EN 303 645</th><th></th><th>Verdict</th></tr>\n";
      for (const ProvisionResult& p : v.provisions) {
        const Provision* info = FindProvision(p.id);
        out += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"{}\">{}</td></tr>\n",
                           HtmlEscape(p.id), HtmlEscape(info != nullptr ? info->title : ""),
                           HtmlEscape(ToString(p.verdict)), HtmlEscape(ToString(p.verdict)));
      }
      out += "</table>\n";
    }
    for (const std::string& note : host.notes) {
      out += fmt::format("<p class=\"meta\">Note: {}</p>\n", HtmlEscape(note));
    }
    out += "</section>\n";
  }
  out += "<section class=\"card\">\n<h2>Not testable over the network</h2>\n<table>\n";
  for (const Provision& p : Provisions()) {
    if (p.network_testable) continue;
    out += fmt::format("<tr><td>{}</td><td>{}</td><td class=\"not-testable\">{}</td></tr>\n",
                       HtmlEscape(p.id), HtmlEscape(p.title), HtmlEscape(p.why_not));
  }
  out +=
      "</table>\n<p>Council aspects that need the app, the stored data or the hardware in "
      "hand: app security, confidentiality of stored data, hardware design.</p>\n</section>\n";
  out += fmt::format("</main>\n<footer>camguard {} · report schema {}</footer>\n</body>\n</html>\n",
                     HtmlEscape(report.tool_version), kReportSchemaVersion);
  return out;
}

}  // namespace camguard::scan
