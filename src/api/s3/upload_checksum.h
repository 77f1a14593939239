#pragma once
// The additional checksum an S3 upload (PutObject, UploadPart) declares: a value header
// x-amz-checksum-crc32 / -crc32c / -sha1 / -sha256, or `x-amz-trailer` naming one of them
// for an aws-chunked body (the value then arrives after the data). At most one algorithm.
// The bytes are verified while they stream (ChecksumCheckedBody), before anything is
// stored; the verified value is kept with the object and returned by GetObject/HeadObject
// when the client asks with `x-amz-checksum-mode: ENABLED`.
// Thread-safety: pure functions.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/checksum.h"
#include "common/status.h"
#include "http/http_types.h"

namespace strato::api::s3 {

struct UploadChecksum {
  std::optional<ChecksumAlgorithm> algorithm;  // none declared when unset
  std::optional<std::string> header_value;     // base64, when sent as a header
};

// InvalidRequest (400) for two different algorithms, an x-amz-trailer naming something
// else than a checksum, or an x-amz-sdk-checksum-algorithm that disagrees.
Result<UploadChecksum> ParseUploadChecksum(const http::Request& request);

// CreateMultipartUpload's x-amz-checksum-algorithm: nullopt when absent. InvalidRequest (400)
// for an unknown algorithm, or an x-amz-checksum-type other than COMPOSITE (the only way
// parts' checksums are combined here).
Result<std::optional<ChecksumAlgorithm>> ParseMultipartAlgorithm(const http::Request& request);

// The response headers for a stored checksum: its x-amz-checksum-<algorithm>, and for the
// composite of a multipart object x-amz-checksum-type: COMPOSITE; none for "".
std::vector<std::pair<std::string, std::string>> ChecksumResponseHeaders(
    const std::string& stored);

// The XML element S3 names a checksum with: "ChecksumSHA256" ….
std::string ChecksumElementName(ChecksumAlgorithm a);

}  // namespace strato::api::s3
