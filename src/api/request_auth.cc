#include "api/request_auth.h"

#include "common/sigv4.h"

namespace strato::api {

Result<Principal> AuthenticateRequest(IdentityCommands& identity, const http::Request& req,
                                      std::string_view service) {
  sigv4::HttpRequestView view;
  view.method = req.method;
  view.raw_path = req.path;
  view.raw_query = req.raw_query;
  for (const auto& [k, v] : req.headers) view.headers.emplace_back(k, v);
  // The payload hash is ours to compute; a client may declare it (or UNSIGNED-PAYLOAD) in
  // x-amz-content-sha256, and a declared hash must match.
  std::string body_hash = sigv4::Sha256Hex(req.body);
  if (const std::string* declared = req.Header("x-amz-content-sha256")) {
    if (*declared == "UNSIGNED-PAYLOAD") {
      body_hash = *declared;
    } else if (*declared != body_hash) {
      return Forbidden("SignatureDoesNotMatch",
                       "The x-amz-content-sha256 header does not match the body.");
    }
  }
  view.payload_hash = body_hash;
  return identity.Authenticate(view, service);
}

namespace {

// "AKID/20260101/region/SERVICE/aws4_request" -> SERVICE
std::string ServiceOfCredential(std::string_view credential) {
  size_t end = credential.rfind('/');
  if (end == std::string_view::npos) return "";
  size_t start = credential.rfind('/', end - 1);
  if (start == std::string_view::npos || end == 0) return "";
  return std::string(credential.substr(start + 1, end - start - 1));
}

}  // namespace

std::string SignedService(const http::Request& req) {
  if (const std::string* auth = req.Header("authorization")) {
    size_t pos = auth->find("Credential=");
    if (pos == std::string::npos) return "";
    std::string_view rest = std::string_view(*auth).substr(pos + 11);
    return ServiceOfCredential(rest.substr(0, rest.find_first_of(", ")));
  }
  for (const auto& [name, value] : req.QueryParamList()) {
    if (name == "X-Amz-Credential") return ServiceOfCredential(value);
  }
  return "";
}

}  // namespace strato::api
