#include "api/s3/aws_chunked_body.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace strato::api::s3 {
namespace {

class StringBody final : public http::BodyStream {
 public:
  explicit StringBody(std::string data) : data_(std::move(data)) {}
  Result<size_t> Read(char* out, size_t max) override {
    size_t n = std::min({max, size_t{1000}, data_.size() - at_});  // small reads on purpose
    data_.copy(out, n, at_);
    at_ += n;
    return n;
  }
  std::optional<uint64_t> content_length() const override { return data_.size(); }

 private:
  std::string data_;
  size_t at_ = 0;
};

Result<std::string> ReadAll(http::BodyStream& body) {
  std::string all;
  char buf[777];
  for (;;) {
    STRATO_ASSIGN_OR_RETURN(size_t n, body.Read(buf, sizeof buf));
    if (n == 0) return all;
    all.append(buf, n);
  }
}

std::string Hex(size_t n) {
  char b[32];
  std::snprintf(b, sizeof b, "%zx", n);
  return b;
}

class AwsChunkedBodyTest : public ::testing::Test {
 protected:
  AwsChunkedBodyTest() {
    signing_.credential = {"AKIAIOSFODNN7EXAMPLE", "20130524", "us-east-1", "s3"};
    signing_.amz_date = "20130524T000000Z";
    signing_.signing_key =
        sigv4::SigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", signing_.credential);
    signing_.seed_signature = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9";
  }

  // A signed aws-chunked encoding of `chunks`, the way the AWS SDKs write it.
  std::string Encode(const std::vector<std::string>& chunks) {
    std::string out, previous = signing_.seed_signature;
    std::vector<std::string> all = chunks;
    all.push_back("");
    for (const auto& c : all) {
      std::string sig = sigv4::ChunkSignature(signing_.signing_key, signing_.amz_date,
                                              signing_.credential, previous, c);
      out += Hex(c.size()) + ";chunk-signature=" + sig + "\r\n" + c + "\r\n";
      previous = sig;
    }
    return out;
  }

  ChunkSigning signing_;
};

TEST_F(AwsChunkedBodyTest, AwsDocumentationExampleDecodesAndVerifies) {
  // The AWS S3 SigV4 streaming example: 65 KiB of 'a' in a 64 KiB and a 1 KiB chunk, whose
  // first chunk signature AWS publishes.
  std::string first(65536, 'a'), second(1024, 'a');
  std::string wire = Encode({first, second});
  EXPECT_NE(wire.find("ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"),
            std::string::npos);
  StringBody inner(wire);
  AwsChunkedBody body(inner, signing_, 66560);
  auto all = ReadAll(body);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, first + second);
}

TEST_F(AwsChunkedBodyTest, AlteredDataFailsTheChunkSignature) {
  std::string wire = Encode({"hello world", "second"});
  wire[wire.find("hello") + 1] = 'a';
  StringBody inner(wire);
  AwsChunkedBody body(inner, signing_, std::nullopt);
  auto all = ReadAll(body);
  ASSERT_FALSE(all.ok());
  EXPECT_EQ(all.status().code(), "SignatureDoesNotMatch");
}

TEST_F(AwsChunkedBodyTest, ReorderedChunksFailTheChain) {
  std::string a = Encode({"one"}), b = Encode({"two"});
  // Each chunk alone is validly signed against the seed, but not after another chunk.
  std::string wire = a.substr(0, a.find("0;chunk")) + b;
  StringBody inner(wire);
  AwsChunkedBody body(inner, signing_, std::nullopt);
  EXPECT_EQ(ReadAll(body).status().code(), "SignatureDoesNotMatch");
}

TEST_F(AwsChunkedBodyTest, TruncatedBodyAndWrongDecodedLengthAreIncomplete) {
  std::string wire = Encode({"hello world"});
  StringBody cut(wire.substr(0, wire.size() - 30));
  AwsChunkedBody body(cut, signing_, std::nullopt);
  EXPECT_EQ(ReadAll(body).status().code(), "IncompleteBody");
  StringBody whole(wire);
  AwsChunkedBody wrong_length(whole, signing_, 12);
  EXPECT_EQ(ReadAll(wrong_length).status().code(), "IncompleteBody");
}

TEST_F(AwsChunkedBodyTest, UnsignedChunksWithTrailersDecode) {
  std::string wire = "5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:sOO8/Q==\r\n\r\n";
  StringBody inner(wire);
  AwsChunkedBody body(inner, std::nullopt, 11);
  auto all = ReadAll(body);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_EQ(*all, "hello world");
  EXPECT_EQ(body.trailers().at("x-amz-checksum-crc32"), "sOO8/Q==");
}

TEST_F(AwsChunkedBodyTest, MalformedSizesAreRefused) {
  StringBody inner("zz;chunk-signature=00\r\nhello\r\n");
  AwsChunkedBody body(inner, signing_, std::nullopt);
  EXPECT_EQ(ReadAll(body).status().code(), "IncompleteBody");
}

}  // namespace
}  // namespace strato::api::s3
