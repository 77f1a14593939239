// ParseAuthorizationHeader from sigv4.h: untrusted input, so every branch ends in either a
// complete ParsedAuthorization or a sentence saying what is wrong.
#include <string>
#include <vector>

#include "common/sigv4.h"

namespace strato::sigv4 {
namespace {

constexpr std::string_view kTerminator = "aws4_request";
constexpr size_t kSignatureHexDigits = 64;

Status Incomplete(std::string message) {
  return Forbidden("IncompleteSignature", std::move(message));
}

// Echoes client input in messages, shortened so a huge header cannot bloat an error.
std::string Shown(std::string_view s) {
  constexpr size_t kMax = 128;
  return s.size() <= kMax ? std::string(s) : std::string(s.substr(0, kMax)) + "...";
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, end - start));
    start = end + 1;
  }
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Header names are RFC 7230 tokens; we accept any visible ASCII except the separators
// that would break the canonical form.
bool IsHeaderNameChar(char c) { return c > ' ' && c < 0x7f && c != ':' && c != ';' && c != ','; }

Result<Credential> ParseCredential(std::string_view value) {
  std::vector<std::string_view> parts = Split(value, '/');
  if (parts.size() != 5) {
    return Incomplete("The Credential '" + Shown(value) +
                      "' must have the form <access key>/<YYYYMMDD>/<region>/<service>/"
                      "aws4_request.");
  }
  if (parts[0].empty()) return Incomplete("The Credential names no access key id.");
  if (parts[1].size() != 8 || !AllDigits(parts[1])) {
    return Incomplete("The Credential date '" + Shown(parts[1]) +
                      "' is not a date in the form YYYYMMDD.");
  }
  if (parts[2].empty()) return Incomplete("The Credential names no region.");
  if (parts[3].empty()) return Incomplete("The Credential names no service.");
  if (parts[4] != kTerminator) {
    return Incomplete("The Credential must end in 'aws4_request', not '" + Shown(parts[4]) + "'.");
  }
  return Credential{std::string(parts[0]), std::string(parts[1]), std::string(parts[2]),
                    std::string(parts[3])};
}

Result<std::vector<std::string>> ParseSignedHeaders(std::string_view value) {
  std::vector<std::string> names;
  for (std::string_view name : Split(value, ';')) {
    if (name.empty()) {
      return Incomplete("SignedHeaders '" + Shown(value) + "' contains an empty name.");
    }
    std::string lower;
    for (char c : name) {
      if (!IsHeaderNameChar(c)) {
        return Incomplete("SignedHeaders contains the invalid header name '" + Shown(name) + "'.");
      }
      lower.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    }
    names.push_back(std::move(lower));
  }
  return names;
}

Result<std::string> ParseSignature(std::string_view value) {
  std::string lower;
  for (char c : value) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    lower.push_back(c);
  }
  if (lower.size() != kSignatureHexDigits || !IsLowerHex(lower)) {
    return Incomplete("The Signature must be 64 hexadecimal digits.");
  }
  return lower;
}

}  // namespace

Result<ParsedAuthorization> ParseAuthorizationHeader(std::string_view header) {
  header = Trim(header);
  size_t space = header.find_first_of(" \t");
  std::string_view algorithm = header.substr(0, space);
  if (algorithm != kAlgorithm) {
    return Incomplete("The authorization algorithm '" + Shown(algorithm) +
                      "' is not supported; use AWS4-HMAC-SHA256.");
  }
  if (space == std::string_view::npos) {
    return Incomplete("The Authorization header has no Credential, SignedHeaders or Signature.");
  }
  std::string_view credential, signed_headers, signature;
  bool seen_credential = false, seen_signed_headers = false, seen_signature = false;
  for (std::string_view part : Split(header.substr(space + 1), ',')) {
    part = Trim(part);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      return Incomplete("The Authorization header part '" + Shown(part) +
                        "' is not of the form Name=Value.");
    }
    std::string_view name = part.substr(0, eq);
    std::string_view value = part.substr(eq + 1);
    bool* seen = nullptr;
    if (name == "Credential") {
      credential = value, seen = &seen_credential;
    } else if (name == "SignedHeaders") {
      signed_headers = value, seen = &seen_signed_headers;
    } else if (name == "Signature") {
      signature = value, seen = &seen_signature;
    } else {
      return Incomplete("The Authorization header has an unknown part '" + Shown(name) + "'.");
    }
    if (*seen) return Incomplete("The Authorization header repeats '" + Shown(name) + "'.");
    *seen = true;
  }
  if (!seen_credential) return Incomplete("The Authorization header requires a Credential.");
  if (!seen_signed_headers) {
    return Incomplete("The Authorization header requires SignedHeaders.");
  }
  if (!seen_signature) return Incomplete("The Authorization header requires a Signature.");

  ParsedAuthorization auth;
  STRATO_ASSIGN_OR_RETURN(auth.credential, ParseCredential(credential));
  STRATO_ASSIGN_OR_RETURN(auth.signed_headers, ParseSignedHeaders(signed_headers));
  STRATO_ASSIGN_OR_RETURN(auth.signature, ParseSignature(signature));
  return auth;
}

}  // namespace strato::sigv4
