#pragma once
// Conditional requests on an object (RFC 9110 §13, as S3 applies them): If-Match,
// If-None-Match, If-Modified-Since and If-Unmodified-Since on GetObject and HeadObject, and
// their x-amz-copy-source-if-* forms on CopyObject and UploadPartCopy. They are judged on the
// record of the very object being read, so what is served is what was judged.
// Thread-safety: pure functions.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/http_types.h"

namespace strato::api::s3 {

enum class Precondition { kServe, kNotModified, kFailed };

// `prefix` is "" for the plain headers or "x-amz-copy-source-" for a copy's source.
// If-Match (or, without it, If-Unmodified-Since) failing is kFailed (412); then If-None-Match
// (or, without it, If-Modified-Since) failing is kNotModified (304). A date that does not
// parse is ignored, as HTTP says.
Precondition EvaluatePreconditions(const http::Request& request, std::string_view prefix,
                                   const std::string& etag, int64_t last_modified_ms);

// An HTTP-date ("Sun, 06 Nov 1994 08:49:37 GMT", or its RFC 850 and asctime forms) as
// seconds since the epoch.
std::optional<int64_t> ParseHttpDate(std::string_view text);

}  // namespace strato::api::s3
