#include "common/sigv4.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <cstdio>
#include <optional>

namespace strato::sigv4 {
namespace {

using Clock = std::chrono::system_clock;

constexpr std::string_view kChunkAlgorithm = "AWS4-HMAC-SHA256-PAYLOAD";
constexpr size_t kAmzDateLength = 16;  // YYYYMMDDTHHMMSSZ

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return lower(x) == lower(y);
  });
}

std::optional<std::string_view> FindHeader(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

// Parses `count` decimal digits at text[pos]; -1 if any is not a digit.
int Digits(std::string_view text, size_t pos, size_t count) {
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

std::string CredentialScope(const Credential& credential) {
  return credential.date + "/" + credential.region + "/" + credential.service + "/aws4_request";
}

std::string StringToSign(std::string_view amz_date, const Credential& credential,
                         std::string_view canonical_request) {
  std::string out(kAlgorithm);
  out.append("\n").append(amz_date).append("\n");
  out.append(CredentialScope(credential)).append("\n");
  out.append(Sha256Hex(canonical_request));
  return out;
}

std::string SigningKey(std::string_view secret, const Credential& credential) {
  std::string date_key = HmacSha256("AWS4" + std::string(secret), credential.date);
  std::string region_key = HmacSha256(date_key, credential.region);
  std::string service_key = HmacSha256(region_key, credential.service);
  return HmacSha256(service_key, "aws4_request");
}

std::string Signature(std::string_view signing_key, std::string_view string_to_sign) {
  return HexEncode(HmacSha256(signing_key, string_to_sign));
}

bool SignaturesEqual(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

Status Verify(const HttpRequestView& request, const ParsedAuthorization& auth,
              std::string_view secret, std::string_view amz_date, bool s3_style_path) {
  if (std::find(auth.signed_headers.begin(), auth.signed_headers.end(), "host") ==
      auth.signed_headers.end()) {
    return Forbidden("IncompleteSignature", "The Host header must be among the SignedHeaders.");
  }
  std::string canonical = CanonicalRequest(request, auth.signed_headers, s3_style_path);
  std::string expected = Signature(SigningKey(secret, auth.credential),
                                   StringToSign(amz_date, auth.credential, canonical));
  if (!SignaturesEqual(expected, auth.signature)) {
    return Forbidden("SignatureDoesNotMatch",
                     "The request signature we calculated does not match the signature you "
                     "provided.");
  }
  return OkStatus();
}

Result<Clock::time_point> ParseAmzDate(std::string_view amz_date) {
  using namespace std::chrono;
  auto malformed = [&] {
    return Forbidden("IncompleteSignature",
                     "X-Amz-Date '" + std::string(amz_date.substr(0, 32)) +
                         "' is not a UTC time in the form YYYYMMDDTHHMMSSZ.");
  };
  if (amz_date.size() != kAmzDateLength || amz_date[8] != 'T' || amz_date[15] != 'Z') {
    return malformed();
  }
  int y = Digits(amz_date, 0, 4), mo = Digits(amz_date, 4, 2), d = Digits(amz_date, 6, 2);
  int h = Digits(amz_date, 9, 2), mi = Digits(amz_date, 11, 2), s = Digits(amz_date, 13, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) {
    return malformed();
  }
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return malformed();
  return Clock::time_point(sys_days(ymd) + hours(h) + minutes(mi) + seconds(s));
}

std::string FormatAmzDate(Clock::time_point time) {
  using namespace std::chrono;
  auto secs = floor<seconds>(time);
  auto days = floor<std::chrono::days>(secs);
  year_month_day ymd(days);
  hh_mm_ss hms(secs - days);
  char buf[64];  // generously sized: -Wformat-truncation cannot bound the fields
  std::snprintf(buf, sizeof(buf), "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buf;
}

Status CheckClockSkew(Clock::time_point request_time, Clock::time_point now,
                      std::chrono::seconds max_skew) {
  auto skew = std::chrono::floor<std::chrono::seconds>(request_time - now);
  if (skew <= max_skew && -skew <= max_skew) return OkStatus();
  bool ahead = skew.count() > 0;
  return Forbidden("RequestExpired",
                   "Request time " + FormatAmzDate(request_time) + " is " +
                       std::to_string(ahead ? skew.count() : -skew.count()) + " seconds " +
                       (ahead ? "ahead of" : "behind") + " the server time " + FormatAmzDate(now) +
                       "; at most " + std::to_string(max_skew.count()) + " seconds are allowed.");
}

Status CheckCredentialDate(const Credential& credential, std::string_view amz_date) {
  std::string_view day = amz_date.substr(0, 8);
  if (credential.date != day) {
    return Forbidden("SignatureDoesNotMatch",
                     "The date in the credential scope (" + credential.date +
                         ") does not match the day of X-Amz-Date (" + std::string(day) + ").");
  }
  return OkStatus();
}

Status VerifyRequest(const HttpRequestView& request, const ParsedAuthorization& auth,
                     std::string_view secret, Clock::time_point now, bool s3_style_path,
                     std::chrono::seconds max_skew) {
  std::optional<std::string_view> amz_date = FindHeader(request.headers, "x-amz-date");
  if (!amz_date) {
    return Forbidden("IncompleteSignature", "The request must carry an X-Amz-Date header.");
  }
  STRATO_ASSIGN_OR_RETURN(Clock::time_point request_time, ParseAmzDate(*amz_date));
  STRATO_RETURN_IF_ERROR(CheckCredentialDate(auth.credential, *amz_date));
  STRATO_RETURN_IF_ERROR(CheckClockSkew(request_time, now, max_skew));
  return Verify(request, auth, secret, *amz_date, s3_style_path);
}

std::string ChunkSignature(std::string_view signing_key, std::string_view amz_date,
                           const Credential& credential, std::string_view previous_signature,
                           std::string_view chunk_data) {
  std::string string_to_sign(kChunkAlgorithm);
  string_to_sign.append("\n").append(amz_date).append("\n");
  string_to_sign.append(CredentialScope(credential)).append("\n");
  string_to_sign.append(previous_signature).append("\n");
  string_to_sign.append(kEmptySha256).append("\n");
  string_to_sign.append(Sha256Hex(chunk_data));
  return Signature(signing_key, string_to_sign);
}

SignedHeaders SignRequest(std::string_view method, std::string_view raw_path,
                          std::string_view raw_query, Headers headers, std::string_view body,
                          std::string_view access_key_id, std::string_view secret,
                          std::string_view region, std::string_view service,
                          Clock::time_point now) {
  SignedHeaders out;
  out.amz_date = FormatAmzDate(now);
  out.content_sha256 = Sha256Hex(body);
  std::erase_if(headers, [](const auto& h) {
    return EqualsIgnoreCase(h.first, "x-amz-date") ||
           EqualsIgnoreCase(h.first, "x-amz-content-sha256") ||
           EqualsIgnoreCase(h.first, "authorization");
  });
  headers.emplace_back("x-amz-date", out.amz_date);
  headers.emplace_back("x-amz-content-sha256", out.content_sha256);

  std::vector<std::string> names;
  for (const auto& [name, value] : headers) names.push_back(name);
  Credential credential{std::string(access_key_id), out.amz_date.substr(0, 8), std::string(region),
                        std::string(service)};
  HttpRequestView view{method, raw_path, raw_query, std::move(headers), out.content_sha256};
  std::string canonical = CanonicalRequest(view, names, service == "s3");
  std::string signature =
      Signature(SigningKey(secret, credential), StringToSign(out.amz_date, credential, canonical));
  out.authorization = std::string(kAlgorithm) + " Credential=" + std::string(access_key_id) + "/" +
                      CredentialScope(credential) + ", SignedHeaders=" + SignedHeadersLine(names) +
                      ", Signature=" + signature;
  return out;
}

}  // namespace strato::sigv4
