#pragma once
// Tiny XML writing for S3 responses: escaping and element helpers. Responses are small and
// flat, so a string builder is clearer than a DOM.

#include <string>
#include <string_view>

#include "api/xml_escape.h"

namespace strato::api::s3 {

inline constexpr std::string_view kS3Namespace = "http://s3.amazonaws.com/doc/2006-03-01/";

using api::XmlEscape;
// <name>escaped text</name>
std::string Element(std::string_view name, std::string_view text);
// S3 timestamps: 2026-11-23T16:00:00.000Z
std::string IsoTime(int64_t ms_since_epoch);
// HTTP dates (Last-Modified): Mon, 23 Nov 2026 16:00:00 GMT
std::string HttpDate(int64_t ms_since_epoch);

}  // namespace strato::api::s3
