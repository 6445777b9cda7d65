// SPDX-License-Identifier: Apache-2.0
// Reading a camera's answers, pure: is this a picture, a granted login, a lockout, an ONVIF
// operation performed or refused, a vulnerable answer to the CVE-2017-7921 probe.
#pragma once

#include <string_view>

#include "scan/wire.h"

namespace camguard::scan {

// 200 with an image (by Content-Type, or JPEG/PNG magic when the type is missing or generic).
bool IsPicture(const Response& response);

// The CVE-2017-7921 read probe answered with data: a user list or device information.
bool IsCve20177921Answer(const Response& response);

// A redirect to the HTTPS version of the page.
bool RedirectsToHttps(const Response& response);

enum class LoginAnswer { kAccepted, kRejected, kLockedOut, kOther };
// A login attempt's answer (HTTP or RTSP). 2xx is accepted, 401 rejected; 429, 423, 403 and
// 503, or a refusal whose body says "locked", mean the camera stopped listening to us.
LoginAnswer ClassifyLogin(const Response& response);

enum class OnvifAnswer { kAllowed, kRefused, kLockedOut, kUnsupported, kOther };
std::string_view ToString(OnvifAnswer answer);
// An ONVIF operation's answer: kAllowed when it is a 200 holding `response_element` (local
// name, e.g. "GetUsersResponse").
OnvifAnswer ClassifyOnvif(const Response& response, std::string_view response_element);

}  // namespace camguard::scan
