#pragma once
// The response headers an uploader may set on an object (PutObject, CreateMultipartUpload,
// CopyObject with REPLACE) that S3 keeps with it and returns on every GetObject and
// HeadObject: Cache-Control, Content-Disposition, Content-Encoding, Content-Language and
// Expires. (Content-Type is kept apart, as it always was.)
// Thread-safety: pure functions.

#include <map>
#include <string>

#include "http/http_types.h"

namespace strato::api::s3 {

// The ones a request sets, by canonical name. `aws-chunked` is the body's transfer framing,
// not the object's encoding: it is dropped from Content-Encoding, as S3 does.
std::map<std::string, std::string> StoredHeadersOf(const http::Request& request);

// Adds the headers stored as `json` (ObjectRecord::headers) to a response.
void AddStoredHeaders(const std::string& json, http::Response& out);

// Sets `name` to `value` in a response, replacing a header of that name (any case).
void SetHeader(http::Response& out, const std::string& name, const std::string& value);

}  // namespace strato::api::s3
