#include "metadata/metadata_handler.h"

#include <gtest/gtest.h>

#include "metadata/metadata_options.h"
#include "metadata/metadata_test_support.h"

namespace strato {
namespace {

using testing::SampleMetadata;

class MetadataHandlerTest : public ::testing::Test {
 protected:
  MetadataResponse Call(MetadataRequest r, int64_t now = 1000) {
    return HandleMetadataRequest(&m_, r, signer_, now);
  }
  MetadataResponse Get(const std::string& path, std::optional<std::string> token = {}) {
    return Call({.method = "GET", .path = path, .token = std::move(token)});
  }
  std::string Token(const std::string& ttl = "60") {
    auto r = Call({.method = "PUT", .path = "/latest/api/token", .token_ttl = ttl});
    EXPECT_EQ(r.status, 200);
    return r.body;
  }
  InstanceMetadata m_ = SampleMetadata();
  MetadataTokenSigner signer_{"key"};
};

TEST_F(MetadataHandlerTest, ImdsV1AnswersWhenTokensAreOptional) {
  auto r = Get("/latest/meta-data/instance-id");
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "i-0123456789abcdef0");
  EXPECT_EQ(r.ip_ttl, 1);
  EXPECT_EQ(Get("/latest/meta-data/nope").status, 404);
}

TEST_F(MetadataHandlerTest, TokenPutChecksItsTtlHeader) {
  for (const char* bad : {"0", "21601", "-1", "abc", "", "60s"}) {
    auto r = Call({.method = "PUT", .path = "/latest/api/token", .token_ttl = bad});
    EXPECT_EQ(r.status, 400) << bad;
  }
  EXPECT_EQ(Call({.method = "PUT", .path = "/latest/api/token"}).status, 400);
  auto ok = Call({.method = "PUT", .path = "/latest/api/token", .token_ttl = "21600"});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.token_ttl, "21600");
  EXPECT_EQ(Call({.method = "GET", .path = "/latest/api/token", .token_ttl = "5"}).status, 405);
}

TEST_F(MetadataHandlerTest, TokenPutThroughAProxyIsRefused) {
  auto r = Call({.method = "PUT", .path = "/latest/api/token", .token_ttl = "60",
                 .forwarded = true});
  EXPECT_EQ(r.status, 403);
}

TEST_F(MetadataHandlerTest, TokensExpireAndBindToTheInstance) {
  std::string t = Token("5");
  EXPECT_EQ(Get("/latest/meta-data/instance-id", t).status, 200);
  EXPECT_EQ(Call({.method = "GET", .path = "/latest/meta-data/", .token = t}, 1005).status, 401);
  InstanceMetadata other = SampleMetadata();
  other.instance_id = "i-0000000000000000f";
  auto foreign = HandleMetadataRequest(&other, {.method = "GET", .path = "/latest/meta-data/",
                                                .token = t},
                                       signer_, 1000);
  EXPECT_EQ(foreign.status, 401);
  EXPECT_EQ(Get("/latest/meta-data/", "garbage").status, 401);
}

TEST_F(MetadataHandlerTest, RequiredTokensRefuseImdsV1) {
  m_.options.http_tokens = "required";
  EXPECT_EQ(Get("/latest/meta-data/instance-id").status, 401);
  EXPECT_EQ(Get("/latest/meta-data/instance-id", Token()).status, 200);
}

TEST_F(MetadataHandlerTest, DisabledEndpointAnswersNothingUseful) {
  m_.options.http_endpoint = "disabled";
  EXPECT_EQ(Get("/latest/meta-data/instance-id").status, 403);
  EXPECT_EQ(Call({.method = "PUT", .path = "/latest/api/token", .token_ttl = "60"}).status, 403);
}

TEST_F(MetadataHandlerTest, HopLimitIsTheResponseTtl) {
  m_.options.hop_limit = 3;
  EXPECT_EQ(Get("/latest/meta-data/instance-id").ip_ttl, 3);
  EXPECT_EQ(Get("/latest/meta-data/nope").ip_ttl, 3);
}

TEST_F(MetadataHandlerTest, UnknownCallerIs404) {
  auto r = HandleMetadataRequest(nullptr, {.method = "GET", .path = "/latest/meta-data/"},
                                 signer_, 1000);
  EXPECT_EQ(r.status, 404);
}

TEST(MetadataOptionsTest, ValidatesEachField) {
  MetadataOptions base;
  EXPECT_TRUE(ApplyMetadataOptions(base, {}).ok());
  EXPECT_FALSE(ApplyMetadataOptions(base, {.http_tokens = "maybe"}).ok());
  EXPECT_FALSE(ApplyMetadataOptions(base, {.hop_limit = 0}).ok());
  EXPECT_FALSE(ApplyMetadataOptions(base, {.hop_limit = 65}).ok());
  EXPECT_FALSE(ApplyMetadataOptions(base, {.http_endpoint = "on"}).ok());
  auto out = ApplyMetadataOptions(base, {.http_tokens = "required", .hop_limit = 2});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->http_tokens, "required");
  EXPECT_EQ(out->hop_limit, 2);
  EXPECT_EQ(out->http_endpoint, "enabled");  // unchanged
}

}  // namespace
}  // namespace strato
