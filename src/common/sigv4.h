#pragma once
// AWS Signature Version 4 (AWS4-HMAC-SHA256): server-side verification and client signing.
//
// Server flow for a request carrying "Authorization: AWS4-HMAC-SHA256 ...":
//   auth = ParseAuthorizationHeader(header)      -> 403 IncompleteSignature when malformed
//   secret = <look up auth.credential.access_key_id; the caller also checks region/service>
//   VerifyRequest(request, auth, secret, now, s3) -> date, skew and signature checks
// VerifyRequest is ParseAmzDate + CheckCredentialDate + CheckClockSkew + Verify; the pieces
// are public for front ends that need them separately.
//
// The payload hash is the caller's business: S3 passes the x-amz-content-sha256 header
// value (and must later check the streamed body against it); EC2/native pass the SHA-256
// of the body they read. Verify never looks at the body itself.
//
// Canonical URI: for S3 the path is used as sent (no dot-segment or slash normalisation),
// each byte encoded once (existing %XX escapes kept). For every other service the path is
// normalised (RFC 3986 dot segments, repeated slashes collapsed) and then URI-encoded again
// on top of the client's encoding ("%20" -> "%2520"), as botocore and AWS do.
//
// All functions are pure and thread-safe. Error codes (all HTTP 403):
//   IncompleteSignature    malformed Authorization header or X-Amz-Date, missing pieces
//   SignatureDoesNotMatch  wrong signature, or credential date != X-Amz-Date's day
//   RequestExpired         X-Amz-Date further from the server clock than the allowed skew

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/digest.h"
#include "common/hex.h"
#include "common/status.h"
#include "common/uri.h"

namespace strato::sigv4 {

// The helpers live in namespace strato (digest.h, hex.h, uri.h); re-exported here because
// signing code reads more naturally with them in reach.
using strato::HexEncode;
using strato::HmacSha256;
using strato::Sha256Hex;
using strato::UriDecode;
using strato::UriEncode;

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kStreamingPayload = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD";
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
inline constexpr std::chrono::seconds kDefaultMaxSkew = std::chrono::minutes(15);

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Credential {
  std::string access_key_id;
  std::string date;  // YYYYMMDD
  std::string region;
  std::string service;
};

// "20150830/us-east-1/iam/aws4_request"
std::string CredentialScope(const Credential& credential);

struct ParsedAuthorization {
  Credential credential;
  std::vector<std::string> signed_headers;  // lowercase, in the order the client listed them
  std::string signature;                    // 64 lowercase hex digits
};

// Parses "AWS4-HMAC-SHA256 Credential=AKID/20260101/region/service/aws4_request,
// SignedHeaders=host;x-amz-date, Signature=<64 hex>". The three parts may come in any order,
// with or without spaces after the commas. Anything else -> 403 IncompleteSignature whose
// message names the offending part.
Result<ParsedAuthorization> ParseAuthorizationHeader(std::string_view header);

// Borrows everything except headers: the strings behind the views must outlive it.
struct HttpRequestView {
  std::string_view method;
  std::string_view raw_path;      // as on the wire, before '?', still percent-encoded
  std::string_view raw_query;     // after '?', without it
  Headers headers;                // names in any case; a name may repeat
  std::string_view payload_hash;  // hex SHA-256 of the body, UNSIGNED-PAYLOAD or STREAMING-*
};

std::string CanonicalUri(std::string_view raw_path, bool s3_style_path);
// Pairs split on '&', names/values decoded and re-encoded with UriEncode, sorted by name
// then value; "X-Amz-Signature" dropped (presigned URLs); "a" becomes "a=".
std::string CanonicalQueryString(std::string_view raw_query);
// Lowercase, sorted, de-duplicated names joined by ';' ("host;x-amz-date").
std::string SignedHeadersLine(const std::vector<std::string>& signed_headers);
// The full canonical request; signed_headers may be in any order or case.
std::string CanonicalRequest(const HttpRequestView& request,
                             const std::vector<std::string>& signed_headers, bool s3_style_path);

std::string StringToSign(std::string_view amz_date, const Credential& credential,
                         std::string_view canonical_request);
std::string SigningKey(std::string_view secret, const Credential& credential);         // binary
std::string Signature(std::string_view signing_key, std::string_view string_to_sign);  // hex
// Constant-time for equal lengths (lengths are not secret).
bool SignaturesEqual(std::string_view a, std::string_view b);

// Recomputes the signature with `secret` and compares. Also requires "host" to be signed.
Status Verify(const HttpRequestView& request, const ParsedAuthorization& auth,
              std::string_view secret, std::string_view amz_date, bool s3_style_path);

// "YYYYMMDDTHHMMSSZ" (UTC) <-> time_point. Bad format -> 403 IncompleteSignature.
Result<std::chrono::system_clock::time_point> ParseAmzDate(std::string_view amz_date);
std::string FormatAmzDate(std::chrono::system_clock::time_point time);

// |request_time - now| <= max_skew, else 403 RequestExpired naming the skew.
Status CheckClockSkew(std::chrono::system_clock::time_point request_time,
                      std::chrono::system_clock::time_point now,
                      std::chrono::seconds max_skew = kDefaultMaxSkew);
// The credential scope's date must be X-Amz-Date's day, else 403 SignatureDoesNotMatch.
Status CheckCredentialDate(const Credential& credential, std::string_view amz_date);

// Everything for header-signed requests: reads X-Amz-Date from the request (missing ->
// IncompleteSignature), then CheckCredentialDate, CheckClockSkew and Verify.
Status VerifyRequest(const HttpRequestView& request, const ParsedAuthorization& auth,
                     std::string_view secret, std::chrono::system_clock::time_point now,
                     bool s3_style_path, std::chrono::seconds max_skew = kDefaultMaxSkew);

// Signature of one chunk of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body; the first chunk's
// previous_signature is the request (seed) signature.
std::string ChunkSignature(std::string_view signing_key, std::string_view amz_date,
                           const Credential& credential, std::string_view previous_signature,
                           std::string_view chunk_data);

// Client side.
struct SignedHeaders {
  std::string authorization;   // value of the Authorization header
  std::string amz_date;        // value of X-Amz-Date
  std::string content_sha256;  // value of X-Amz-Content-Sha256
};

// Signs host, x-amz-date, x-amz-content-sha256 and every other header given. `headers` must
// include Host; any X-Amz-Date, X-Amz-Content-Sha256 or Authorization in it is replaced.
// raw_path/raw_query are what will go on the wire (already percent-encoded). The S3 path
// rules apply when service == "s3".
SignedHeaders SignRequest(std::string_view method, std::string_view raw_path,
                          std::string_view raw_query, Headers headers, std::string_view body,
                          std::string_view access_key_id, std::string_view secret,
                          std::string_view region, std::string_view service,
                          std::chrono::system_clock::time_point now);

}  // namespace strato::sigv4
