// IdentityCommands::AuthenticateS3: header-signed and presigned S3 requests.
#include <strings.h>

#include <charconv>

#include "commands/identity_commands.h"

namespace strato {
namespace {

constexpr int64_t kMaxPresignSeconds = 7 * 24 * 3600;

std::optional<std::string> QueryParam(std::string_view raw_query, std::string_view name) {
  size_t i = 0;
  while (i <= raw_query.size()) {
    size_t amp = raw_query.find('&', i);
    if (amp == std::string_view::npos) amp = raw_query.size();
    std::string_view pair = raw_query.substr(i, amp - i);
    size_t eq = pair.find('=');
    if (UriDecode(pair.substr(0, eq)) == name) {
      return eq == std::string_view::npos ? "" : UriDecode(pair.substr(eq + 1));
    }
    i = amp + 1;
  }
  return std::nullopt;
}

}  // namespace

Result<IdentityCommands::S3Auth> IdentityCommands::AuthenticateS3(
    const sigv4::HttpRequestView& request) {
  const auto now = std::chrono::system_clock::time_point(std::chrono::milliseconds(env_.now_ms()));
  std::string_view header;
  for (const auto& [name, value] : request.headers) {
    if (strcasecmp(name.c_str(), "authorization") == 0) header = value;
  }
  S3Auth out;
  sigv4::ParsedAuthorization auth;
  std::optional<std::string> presigned_alg = QueryParam(request.raw_query, "X-Amz-Algorithm");
  if (!header.empty()) {
    STRATO_ASSIGN_OR_RETURN(auth, sigv4::ParseAuthorizationHeader(header));
  } else if (presigned_alg) {
    if (*presigned_alg != sigv4::kAlgorithm) {
      return Forbidden("AuthorizationQueryParametersError",
                       "X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\".");
    }
    auto credential = QueryParam(request.raw_query, "X-Amz-Credential");
    auto signed_headers = QueryParam(request.raw_query, "X-Amz-SignedHeaders");
    auto signature = QueryParam(request.raw_query, "X-Amz-Signature");
    auto date = QueryParam(request.raw_query, "X-Amz-Date");
    auto expires = QueryParam(request.raw_query, "X-Amz-Expires");
    if (!credential || !signed_headers || !signature || !date || !expires) {
      return Forbidden("AuthorizationQueryParametersError",
                       "Query-string authentication requires X-Amz-Credential, X-Amz-Date, "
                       "X-Amz-Expires, X-Amz-SignedHeaders and X-Amz-Signature.");
    }
    // Reuse the header parser for the credential and signature syntax.
    STRATO_ASSIGN_OR_RETURN(
        auth, sigv4::ParseAuthorizationHeader(std::string(sigv4::kAlgorithm) + " Credential=" +
                                              *credential + ", SignedHeaders=" +
                                              *signed_headers + ", Signature=" + *signature));
    int64_t seconds = -1;
    auto [end, ec] = std::from_chars(expires->data(), expires->data() + expires->size(), seconds);
    if (ec != std::errc() || end != expires->data() + expires->size() || seconds < 1 ||
        seconds > kMaxPresignSeconds) {
      return Forbidden("AuthorizationQueryParametersError",
                       "X-Amz-Expires must be between 1 and 604800 seconds.");
    }
    STRATO_ASSIGN_OR_RETURN(auto signed_at, sigv4::ParseAmzDate(*date));
    if (now > signed_at + std::chrono::seconds(seconds)) {
      return Forbidden("AccessDenied", "Request has expired");
    }
    if (signed_at - now > sigv4::kDefaultMaxSkew) {
      return Forbidden("RequestTimeTooSkewed",
                       "The difference between the request time and the server's time is too "
                       "large.");
    }
    STRATO_RETURN_IF_ERROR(sigv4::CheckCredentialDate(auth.credential, *date));
    out.amz_date = *date;
  } else {
    return Forbidden("AccessDenied", "Access Denied: sign requests with AWS Signature Version 4.");
  }
  if (auth.credential.service != "s3" || auth.credential.region != env_.region) {
    return Forbidden("SignatureDoesNotMatch",
                     "Credential should be scoped to region '" + env_.region +
                         "' and service 's3', not '" + auth.credential.region + "/" +
                         auth.credential.service + "'.");
  }
  STRATO_ASSIGN_OR_RETURN(auto key, LookupKey(auth.credential.access_key_id));
  if (presigned_alg && header.empty()) {
    sigv4::HttpRequestView view = request;
    view.payload_hash = sigv4::kUnsignedPayload;
    STRATO_RETURN_IF_ERROR(sigv4::Verify(view, auth, key.secret, out.amz_date, true));
  } else {
    STRATO_RETURN_IF_ERROR(sigv4::VerifyRequest(request, auth, key.secret, now, true));
    for (const auto& [name, value] : request.headers) {
      if (strcasecmp(name.c_str(), "x-amz-date") == 0) out.amz_date = value;
    }
  }
  out.principal = key.principal;
  out.credential = auth.credential;
  out.signing_key = sigv4::SigningKey(key.secret, auth.credential);
  out.seed_signature = auth.signature;
  return out;
}

}  // namespace strato
