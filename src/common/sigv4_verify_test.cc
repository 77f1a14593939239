// Round trips, tampering, canonicalisation details, dates and malformed headers.
#include <gtest/gtest.h>

#include "common/sigv4.h"

namespace strato::sigv4 {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::system_clock;

constexpr std::string_view kAccessKey = "AKIAIOSFODNN7EXAMPLE";
constexpr std::string_view kSecret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

Clock::time_point At(std::string_view amz_date) { return *ParseAmzDate(amz_date); }

// A request as a server would see it after the client signed it with SignRequest.
struct SignedRequest {
  std::string method = "PUT";
  std::string path = "/bucket/key%20one";
  std::string query = "partNumber=1&uploadId=abc";
  std::string body = "payload bytes";
  Headers headers;
  std::string payload_hash;

  HttpRequestView View() const { return {method, path, query, headers, payload_hash}; }
};

SignedRequest SignedS3Put(Clock::time_point now) {
  SignedRequest r;
  Headers to_sign = {{"Host", "127.0.0.1:9000"}, {"Content-Type", "text/plain"}};
  SignedHeaders s = SignRequest(r.method, r.path, r.query, to_sign, r.body, kAccessKey, kSecret,
                                "us-east-1", "s3", now);
  r.headers = to_sign;
  r.headers.emplace_back("X-Amz-Date", s.amz_date);
  r.headers.emplace_back("X-Amz-Content-Sha256", s.content_sha256);
  r.headers.emplace_back("Authorization", s.authorization);
  r.payload_hash = Sha256Hex(r.body);
  return r;
}

Status VerifySigned(const SignedRequest& r, Clock::time_point now,
                    std::string_view secret = kSecret) {
  std::string_view authorization;
  for (const auto& [name, value] : r.headers) {
    if (name == "Authorization") authorization = value;
  }
  Result<ParsedAuthorization> auth = ParseAuthorizationHeader(authorization);
  if (!auth.ok()) return auth.status();
  return VerifyRequest(r.View(), *auth, secret, now, /*s3_style_path=*/true);
}

void ExpectMismatch(const Status& s) {
  EXPECT_EQ(s.code(), "SignatureDoesNotMatch") << s.ToString();
  EXPECT_EQ(s.http_status(), 403);
}

const Clock::time_point kNow = At("20260315T101500Z");

TEST(SigV4RoundTripTest, SignedRequestVerifies) {
  SignedRequest r = SignedS3Put(kNow);
  EXPECT_TRUE(VerifySigned(r, kNow).ok());
  // Headers the client did not sign may be added or changed by proxies.
  r.headers.emplace_back("X-Forwarded-For", "127.0.0.1");
  EXPECT_TRUE(VerifySigned(r, kNow).ok());
}

TEST(SigV4RoundTripTest, TamperingIsRejected) {
  const SignedRequest good = SignedS3Put(kNow);
  {
    SignedRequest r = good;
    r.payload_hash = Sha256Hex("other payload");
    ExpectMismatch(VerifySigned(r, kNow));
  }
  {
    SignedRequest r = good;
    r.headers[1].second = "application/octet-stream";  // signed Content-Type
    ExpectMismatch(VerifySigned(r, kNow));
  }
  {
    SignedRequest r = good;
    r.path = "/bucket/key%20two";
    ExpectMismatch(VerifySigned(r, kNow));
  }
  {
    SignedRequest r = good;
    r.query = "partNumber=2&uploadId=abc";
    ExpectMismatch(VerifySigned(r, kNow));
  }
  {
    SignedRequest r = good;
    r.method = "POST";
    ExpectMismatch(VerifySigned(r, kNow));
  }
  {
    SignedRequest r = good;
    r.headers.emplace_back("content-type", "second value joins the signed header");
    ExpectMismatch(VerifySigned(r, kNow));
  }
  ExpectMismatch(VerifySigned(good, kNow, "wrong-secret"));
}

TEST(SigV4RoundTripTest, EachSignatureDigitMatters) {
  const SignedRequest good = SignedS3Put(kNow);
  std::string authorization = good.headers.back().second;
  size_t sig = authorization.find("Signature=") + 10;
  for (size_t i = sig; i < authorization.size(); i += 7) {
    SignedRequest r = good;
    r.headers.back().second[i] = authorization[i] == '0' ? '1' : '0';
    ExpectMismatch(VerifySigned(r, kNow));
  }
}

TEST(SigV4RoundTripTest, ForgedCredentialScopeIsRejected) {
  SignedRequest r = SignedS3Put(kNow);
  std::string& authorization = r.headers.back().second;
  authorization.replace(authorization.find("us-east-1"), 9, "eu-west-1");
  ExpectMismatch(VerifySigned(r, kNow));
}

TEST(SigV4RoundTripTest, HostMustBeSigned) {
  SignedRequest r = SignedS3Put(kNow);
  Result<ParsedAuthorization> auth = ParseAuthorizationHeader(r.headers.back().second);
  ASSERT_TRUE(auth.ok());
  std::erase(auth->signed_headers, "host");
  Status s = VerifyRequest(r.View(), *auth, kSecret, kNow, true);
  EXPECT_EQ(s.code(), "IncompleteSignature");
}

TEST(SigV4RoundTripTest, NonS3ServiceRoundTrip) {
  Headers headers = {{"Host", "127.0.0.1:8773"},
                     {"Content-Type", "application/x-www-form-urlencoded"}};
  std::string body = "Action=RunInstances&ImageId=ami-0123456789abcdef0";
  SignedHeaders s = SignRequest("POST", "/a%20b/../", "", headers, body, kAccessKey, kSecret,
                                "us-east-1", "ec2", kNow);
  headers.emplace_back("X-Amz-Date", s.amz_date);
  Result<ParsedAuthorization> auth = ParseAuthorizationHeader(s.authorization);
  ASSERT_TRUE(auth.ok());
  EXPECT_EQ(auth->credential.service, "ec2");
  EXPECT_EQ(auth->signed_headers, (std::vector<std::string>{"content-type", "host",
                                                            "x-amz-content-sha256", "x-amz-date"}));
  headers.emplace_back("X-Amz-Content-Sha256", s.content_sha256);
  const std::string body_hash = Sha256Hex(body);  // the view only borrows it
  HttpRequestView view{"POST", "/a%20b/../", "", headers, body_hash};
  EXPECT_TRUE(VerifyRequest(view, *auth, kSecret, kNow, false).ok());
  // Normalisation makes an equivalent path verify too.
  view.raw_path = "//";
  EXPECT_TRUE(VerifyRequest(view, *auth, kSecret, kNow, false).ok());
  // ...but S3 rules do not normalise, so the same request fails there.
  ExpectMismatch(VerifyRequest(view, *auth, kSecret, kNow, true));
}

TEST(SigV4RoundTripTest, SignRequestReplacesStaleAuthHeaders) {
  Headers headers = {{"Host", "h"}, {"X-Amz-Date", "19990101T000000Z"}, {"authorization", "x"}};
  SignedHeaders s = SignRequest("GET", "/", "", headers, "", kAccessKey, kSecret, "r", "s3", kNow);
  EXPECT_EQ(s.amz_date, "20260315T101500Z");
  EXPECT_NE(s.authorization.find("SignedHeaders=host;x-amz-content-sha256;x-amz-date,"),
            std::string::npos);
}

// ---- clock and dates ------------------------------------------------------------------

TEST(SigV4DateTest, ClockSkewBothDirections) {
  SignedRequest r = SignedS3Put(kNow);
  EXPECT_TRUE(VerifySigned(r, kNow + 15min).ok());
  EXPECT_TRUE(VerifySigned(r, kNow - 15min).ok());

  Status behind = VerifySigned(r, kNow + 16min);
  EXPECT_EQ(behind.code(), "RequestExpired");
  EXPECT_EQ(behind.http_status(), 403);
  EXPECT_NE(behind.message().find("960 seconds behind"), std::string::npos) << behind.message();

  Status ahead = VerifySigned(r, kNow - 1h);
  EXPECT_EQ(ahead.code(), "RequestExpired");
  EXPECT_NE(ahead.message().find("3600 seconds ahead"), std::string::npos) << ahead.message();

  EXPECT_TRUE(CheckClockSkew(kNow, kNow + 10s, 10s).ok());
  EXPECT_FALSE(CheckClockSkew(kNow, kNow + 11s, 10s).ok());
}

TEST(SigV4DateTest, CredentialDateMustMatchAmzDate) {
  Credential credential{"AKID", "20260314", "us-east-1", "s3"};
  EXPECT_TRUE(CheckCredentialDate(credential, "20260314T235959Z").ok());
  ExpectMismatch(CheckCredentialDate(credential, "20260315T000000Z"));

  SignedRequest r = SignedS3Put(kNow);
  std::string& authorization = r.headers.back().second;
  authorization.replace(authorization.find("/20260315/"), 10, "/20260314/");
  ExpectMismatch(VerifySigned(r, kNow));
}

TEST(SigV4DateTest, MissingOrMalformedAmzDate) {
  SignedRequest r = SignedS3Put(kNow);
  SignedRequest missing = r;
  std::erase_if(missing.headers, [](const auto& h) { return h.first == "X-Amz-Date"; });
  EXPECT_EQ(VerifySigned(missing, kNow).code(), "IncompleteSignature");

  for (std::string_view bad : {"", "20260315T101500", "20260315 101500Z", "2026031XT101500Z",
                               "20261315T101500Z", "20260231T101500Z", "20260315T241500Z",
                               "20260315T106000Z", "20260315T101560Z", "20260315T101500Z0"}) {
    Result<Clock::time_point> t = ParseAmzDate(bad);
    ASSERT_FALSE(t.ok()) << bad;
    EXPECT_EQ(t.status().code(), "IncompleteSignature");
  }
}

TEST(SigV4DateTest, ParseAndFormatRoundTrip) {
  for (std::string_view date :
       {"20150830T123600Z", "20240229T235959Z", "19700101T000000Z", "20991231T000001Z"}) {
    Result<Clock::time_point> t = ParseAmzDate(date);
    ASSERT_TRUE(t.ok()) << date;
    EXPECT_EQ(FormatAmzDate(*t), date);
  }
  EXPECT_EQ(At("19700101T000100Z").time_since_epoch(), std::chrono::seconds(60));
  EXPECT_EQ(FormatAmzDate(At("20240229T235959Z") + 1s), "20240301T000000Z");
}

// ---- canonicalisation details -----------------------------------------------------------

TEST(SigV4CanonicalTest, QueryEncodingAndSorting) {
  EXPECT_EQ(CanonicalQueryString("b=2&a=1&a=0"), "a=0&a=1&b=2");
  EXPECT_EQ(CanonicalQueryString("q=x%20y"), "q=x%20y");
  EXPECT_EQ(CanonicalQueryString("q=x y"), "q=x%20y");
  EXPECT_EQ(CanonicalQueryString("q=x+y"), "q=x%2By");  // '+' is a plus, not a space
  EXPECT_EQ(CanonicalQueryString("q=x%2By"), "q=x%2By");
  EXPECT_EQ(CanonicalQueryString("t=%7E~"), "t=~~");
  EXPECT_EQ(CanonicalQueryString("p=%2f"), "p=%2F");
  EXPECT_EQ(CanonicalQueryString("a=b=c"), "a=b%3Dc");
  EXPECT_EQ(CanonicalQueryString("acl"), "acl=");
  EXPECT_EQ(CanonicalQueryString("a=1&&b=2&"), "a=1&b=2");
  EXPECT_EQ(CanonicalQueryString("bad=%zz"), "bad=%25zz");
  EXPECT_EQ(CanonicalQueryString("X-Amz-Signature=abc&X-Amz-Date=1"), "X-Amz-Date=1");
  EXPECT_EQ(CanonicalQueryString(""), "");
  // Byte order, so uppercase sorts before lowercase and '-' before letters.
  EXPECT_EQ(CanonicalQueryString("b=1&B=1&-=1"), "-=1&B=1&b=1");
}

TEST(SigV4CanonicalTest, PathRules) {
  EXPECT_EQ(CanonicalUri("", false), "/");
  EXPECT_EQ(CanonicalUri("", true), "/");
  EXPECT_EQ(CanonicalUri("/a%20b", false), "/a%2520b");
  EXPECT_EQ(CanonicalUri("/a%20b", true), "/a%20b");
  EXPECT_EQ(CanonicalUri("/a b/c*", true), "/a%20b/c%2A");
  EXPECT_EQ(CanonicalUri("/a/./b/../c//", true), "/a/./b/../c//");
  EXPECT_EQ(CanonicalUri("/a/./b/../c//", false), "/a/c/");
  EXPECT_EQ(CanonicalUri("/../..", false), "/");
  EXPECT_EQ(CanonicalUri("/trailing%", true), "/trailing%25");
}

TEST(SigV4CanonicalTest, HeaderWhitespaceFolding) {
  Headers headers = {{"HOST", "  example.com  "},
                     {"X-Multi", "a \t  b   c "},
                     {"x-multi", "\td"},
                     {"X-Empty", ""},
                     {"X-Unsigned", "ignored"}};
  HttpRequestView request{"GET", "/", "", headers, "UNSIGNED-PAYLOAD"};
  EXPECT_EQ(CanonicalRequest(request, {"X-Multi", "host", "x-empty", "host"}, false),
            "GET\n/\n\nhost:example.com\nx-empty:\nx-multi:a b c,d\n\nhost;x-empty;x-multi\n"
            "UNSIGNED-PAYLOAD");
  EXPECT_EQ(SignedHeadersLine({"X-B", "x-a", "x-b"}), "x-a;x-b");
}

TEST(SigV4CanonicalTest, SignaturesEqualIsExact) {
  EXPECT_TRUE(SignaturesEqual("abcd", "abcd"));
  EXPECT_FALSE(SignaturesEqual("abcd", "abce"));
  EXPECT_FALSE(SignaturesEqual("abcd", "abc"));
  EXPECT_TRUE(SignaturesEqual("", ""));
}

// ---- Authorization header parsing ---------------------------------------------------------

constexpr std::string_view kGoodHeader =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date, "
    "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

TEST(SigV4ParseTest, ParsesWellFormedHeader) {
  Result<ParsedAuthorization> auth = ParseAuthorizationHeader(kGoodHeader);
  ASSERT_TRUE(auth.ok()) << auth.status().ToString();
  EXPECT_EQ(auth->credential.access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(auth->credential.date, "20150830");
  EXPECT_EQ(auth->credential.region, "us-east-1");
  EXPECT_EQ(auth->credential.service, "iam");
  EXPECT_EQ(auth->signed_headers, (std::vector<std::string>{"content-type", "host", "x-amz-date"}));
  EXPECT_EQ(auth->signature, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

TEST(SigV4ParseTest, ToleratesSpacingOrderAndCase) {
  Result<ParsedAuthorization> auth = ParseAuthorizationHeader(
      "  AWS4-HMAC-SHA256   "
      "Signature=5D672D79C15B13162D9279B0855CFBA6789A8EDB4C82C400E06B5924A6F2B5D7,"
      "SignedHeaders=Host;X-Amz-Date,Credential=AKID/20150830/r/s/aws4_request  ");
  ASSERT_TRUE(auth.ok()) << auth.status().ToString();
  EXPECT_EQ(auth->signature, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
  EXPECT_EQ(auth->signed_headers, (std::vector<std::string>{"host", "x-amz-date"}));
}

TEST(SigV4ParseTest, MalformedHeadersAreIncompleteSignature) {
  const std::string sig = "Signature=" + std::string(64, 'a');
  const std::string cred = "Credential=AKID/20150830/us-east-1/ec2/aws4_request";
  const std::string sh = "SignedHeaders=host;x-amz-date";
  std::vector<std::string> bad = {
      "",
      "   ",
      "AWS4-HMAC-SHA256",
      "AWS4-HMAC-SHA256 ",
      "AWS AKIDEXAMPLE:c2lnbmF0dXJl",  // SigV2
      "AWS4-HMAC-SHA1 " + cred + ", " + sh + ", " + sig,
      "aws4-hmac-sha256 " + cred + ", " + sh + ", " + sig,
      "AWS4-HMAC-SHA256 " + sh + ", " + sig,
      "AWS4-HMAC-SHA256 " + cred + ", " + sig,
      "AWS4-HMAC-SHA256 " + cred + ", " + sh,
      "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", " + sig + ", " + sig,
      "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", " + sig + ", Foo=bar",
      "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", " + sig + ",",
      "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature",
      "AWS4-HMAC-SHA256 ,,,,",
      "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/ec2, " + sh + ", " + sig,
      "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/ec2/aws4_request/x, " + sh + ", " + sig,
      "AWS4-HMAC-SHA256 Credential=/20150830/us-east-1/ec2/aws4_request, " + sh + ", " + sig,
      "AWS4-HMAC-SHA256 Credential=AKID/2015083/us-east-1/ec2/aws4_request, " + sh + ", " + sig,
      "AWS4-HMAC-SHA256 Credential=AKID/2015O830/us-east-1/ec2/aws4_request, " + sh + ", " + sig,
      "AWS4-HMAC-SHA256 Credential=AKID/20150830//ec2/aws4_request, " + sh + ", " + sig,
      "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1//aws4_request, " + sh + ", " + sig,
      "AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/ec2/aws4_requests, " + sh + ", " + sig,
      "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=, " + sig,
      "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;;x-amz-date, " + sig,
      "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host;x amz, " + sig,
      "AWS4-HMAC-SHA256 " + cred + ", SignedHeaders=host:x, " + sig,
      "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature=",
      "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature=" + std::string(63, 'a'),
      "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature=" + std::string(65, 'a'),
      "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature=" + std::string(64, 'g'),
      "AWS4-HMAC-SHA256 " + cred + ", " + sh + ", Signature=" + std::string(64, '\0'),
      "AWS4-HMAC-SHA256 " + std::string(100000, ','),
      "AWS4-HMAC-SHA256 Credential=" + std::string(100000, '/'),
  };
  for (const std::string& header : bad) {
    Result<ParsedAuthorization> auth = ParseAuthorizationHeader(header);
    ASSERT_FALSE(auth.ok()) << header.substr(0, 200);
    EXPECT_EQ(auth.status().code(), "IncompleteSignature") << header.substr(0, 200);
    EXPECT_EQ(auth.status().http_status(), 403);
    EXPECT_FALSE(auth.status().message().empty());
    EXPECT_LT(auth.status().message().size(), 400u);  // client input is echoed, but bounded
  }
}

TEST(SigV4ParseTest, MessagesNameTheProblem) {
  auto message = [](std::string_view header) {
    return ParseAuthorizationHeader(header).status().message();
  };
  EXPECT_NE(message("AWS4-HMAC-SHA1 x=y").find("AWS4-HMAC-SHA1"), std::string::npos);
  EXPECT_NE(message("AWS4-HMAC-SHA256 SignedHeaders=host, Signature=" + std::string(64, 'a'))
                .find("Credential"),
            std::string::npos);
  EXPECT_NE(message("AWS4-HMAC-SHA256 Credential=A/20150830/r/s/aws4_request, SignedHeaders=host, "
                    "Signature=00")
                .find("Signature"),
            std::string::npos);
}

}  // namespace
}  // namespace strato::sigv4
