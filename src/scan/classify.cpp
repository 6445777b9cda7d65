// SPDX-License-Identifier: Apache-2.0
#include "scan/classify.h"

#include <string>

#include "base/strings.h"
#include "onvif/soap.h"

namespace camguard::scan {
namespace {

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

bool Contains(std::string_view text, std::string_view needle) {
  return text.find(needle) != std::string_view::npos;
}

// "<Name", "<ns:Name" followed by '>', '/' or white space.
bool HasElement(std::string_view xml, std::string_view local) {
  std::size_t pos = 0;
  while ((pos = xml.find(local, pos)) != std::string_view::npos) {
    const std::size_t end = pos + local.size();
    const bool ends =
        end < xml.size() && (xml[end] == '>' || xml[end] == '/' || xml[end] == ' ' ||
                             xml[end] == '\t' || xml[end] == '\r' || xml[end] == '\n');
    bool starts = pos > 0 && xml[pos - 1] == '<';
    if (!starts && pos > 0 && xml[pos - 1] == ':') {
      // Walk back over the prefix to its '<'.
      std::size_t k = pos - 1;
      while (k > 0 && xml[k - 1] != '<' && xml[k - 1] != '>' && xml[k - 1] != ' ') --k;
      starts = k > 0 && xml[k - 1] == '<';
    }
    if (starts && ends) return true;
    pos = end;
  }
  return false;
}

}  // namespace

bool IsPicture(const Response& response) {
  if (response.status != 200 || response.body.empty()) return false;
  const std::string type = base::ToLower(response.Header("content-type").value_or(""));
  if (StartsWith(type, "image/")) return true;
  if (!type.empty() && !StartsWith(type, "application/octet-stream")) return false;
  const std::string_view body = response.body;
  return StartsWith(body, "\xFF\xD8\xFF") || StartsWith(body, "\x89PNG\r\n\x1a\n");
}

bool IsCve20177921Answer(const Response& response) {
  if (response.status != 200) return false;
  const std::string_view body = response.body;
  return HasElement(body, "userName") || HasElement(body, "UserList") ||
         HasElement(body, "firmwareVersion");
}

bool RedirectsToHttps(const Response& response) {
  if (response.status < 300 || response.status > 399) return false;
  const auto location = response.Header("location");
  return location && StartsWith(base::ToLower(*location), "https://");
}

LoginAnswer ClassifyLogin(const Response& response) {
  if (response.status >= 200 && response.status <= 299) return LoginAnswer::kAccepted;
  const std::string lower_body = base::ToLower(std::string_view(response.body).substr(0, 4096));
  if (response.status == 429 || response.status == 423 || response.status == 403 ||
      response.status == 503 || Contains(lower_body, "locked")) {
    return LoginAnswer::kLockedOut;
  }
  if (response.status == 401) return LoginAnswer::kRejected;
  return LoginAnswer::kOther;
}

std::string_view ToString(OnvifAnswer answer) {
  switch (answer) {
    case OnvifAnswer::kAllowed: return "allowed";
    case OnvifAnswer::kRefused: return "refused";
    case OnvifAnswer::kLockedOut: return "locked out";
    case OnvifAnswer::kUnsupported: return "not supported";
    case OnvifAnswer::kOther: return "unexpected answer";
  }
  return "unexpected answer";
}

OnvifAnswer ClassifyOnvif(const Response& response, std::string_view response_element) {
  if (response.status == 429 || response.status == 423) return OnvifAnswer::kLockedOut;
  const auto fault = onvif::ParseFault(response.body);
  if (fault) {
    const std::string message = base::ToLower(fault->message);
    if (Contains(message, "lock")) return OnvifAnswer::kLockedOut;
    if (fault->code == base::ErrorCode::kPermissionDenied) return OnvifAnswer::kRefused;
    if (response.status == 401 || response.status == 403) return OnvifAnswer::kRefused;
    return OnvifAnswer::kUnsupported;
  }
  if (response.status == 401 || response.status == 403) return OnvifAnswer::kRefused;
  if (response.status == 200 && HasElement(response.body, response_element)) {
    return OnvifAnswer::kAllowed;
  }
  if (response.status == 404 || response.status == 405 || response.status == 400 ||
      response.status == 500) {
    return OnvifAnswer::kUnsupported;
  }
  return OnvifAnswer::kOther;
}

}  // namespace camguard::scan
