#pragma once
// XML text escaping for the AWS front ends (EC2 Query, S3): the five special characters
// become entities; characters XML 1.0 cannot carry (control bytes other than tab/CR/LF) and
// bytes that are not well-formed UTF-8 become '?', so echoed untrusted input never breaks a
// document.

#include <string>
#include <string_view>

namespace strato::api {

std::string XmlEscape(std::string_view text);

}  // namespace strato::api
