#include "api/s3/aws_chunked_body.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <vector>

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

// Gives the bytes in reads that never cross one of `cuts` (offsets into the data), and at
// most `max_read` at a time: the decoder's refills end exactly where the test wants.
class CutBody final : public http::BodyStream {
 public:
  CutBody(std::string data, std::vector<size_t> cuts, size_t max_read)
      : data_(std::move(data)), cuts_(std::move(cuts)), max_read_(max_read) {
    std::sort(cuts_.begin(), cuts_.end());
  }
  Result<size_t> Read(char* out, size_t max) override {
    size_t end = std::min(data_.size(), at_ + std::min(max, max_read_));
    auto next_cut = std::upper_bound(cuts_.begin(), cuts_.end(), at_);
    if (next_cut != cuts_.end()) end = std::min(end, *next_cut);
    data_.copy(out, end - at_, at_);
    size_t n = end - at_;
    at_ = end;
    ++reads_;
    largest_read_ = std::max(largest_read_, n);
    return n;
  }
  std::optional<uint64_t> content_length() const override { return data_.size(); }
  size_t reads() const { return reads_; }
  size_t largest_read() const { return largest_read_; }

 private:
  std::string data_;
  std::vector<size_t> cuts_;
  size_t max_read_;
  size_t at_ = 0;
  size_t reads_ = 0;
  size_t largest_read_ = 0;
};

Result<std::string> ReadAll(http::BodyStream& body, size_t buffer_size = 777) {
  std::string all;
  std::vector<char> buf(buffer_size);
  for (;;) {
    STRATO_ASSIGN_OR_RETURN(size_t n, body.Read(buf.data(), buf.size()));
    if (n == 0) return all;
    all.append(buf.data(), n);
  }
}

std::string Pattern(size_t n, unsigned seed) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 2654435761u + seed) >> 11);
  return s;
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

TEST_F(AwsChunkedBodyTest, LargeChunksGoStraightToTheCallersBufferAcrossSplitHeaders) {
  // Chunks far larger than one framing read, an odd one, and the empty last one; every chunk
  // header (and the CRLF before it) is cut in two, so each is assembled across refills.
  std::vector<std::string> chunks = {Pattern(3 << 20, 1), Pattern(70001, 2), Pattern(1, 3),
                                     Pattern((1 << 20) + 17, 4)};
  std::string wire = Encode(chunks);
  std::string expected;
  for (const auto& c : chunks) expected += c;
  std::vector<size_t> cuts;
  for (size_t at = wire.find(";chunk-signature="); at != std::string::npos;
       at = wire.find(";chunk-signature=", at + 1)) {
    cuts.push_back(at - 1);   // inside the hex size
    cuts.push_back(at + 9);   // inside "chunk-signature"
    cuts.push_back(at + 40);  // inside the signature
  }
  for (size_t at = wire.find("\r\n"); at != std::string::npos; at = wire.find("\r\n", at + 1)) {
    cuts.push_back(at + 1);  // between CR and LF
  }
  CutBody inner(wire, cuts, 1 << 20);
  AwsChunkedBody body(inner, signing_, expected.size());
  auto all = ReadAll(body, 1 << 20);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_TRUE(*all == expected);
  // The data came in reads as large as the inner stream and the caller allow, not in
  // framing-sized steps.
  EXPECT_EQ(inner.largest_read(), size_t{1} << 20);
  EXPECT_LT(inner.reads(), 40u);
}

TEST_F(AwsChunkedBodyTest, UnsignedTrailerSplitAcrossRefillsDecodes) {
  std::string data = Pattern(200000, 5);
  std::string wire = Hex(150000) + "\r\n" + data.substr(0, 150000) + "\r\n" + Hex(50000) +
                     "\r\n" + data.substr(150000) +
                     "\r\n0\r\nx-amz-checksum-crc32:sOO8/Q==\r\n\r\n";
  // Reads of 7 bytes at most: every line is split, and the data takes many refills.
  CutBody inner(wire, {}, 7);
  AwsChunkedBody body(inner, std::nullopt, data.size());
  auto all = ReadAll(body, 1 << 20);
  ASSERT_TRUE(all.ok()) << all.status().ToString();
  EXPECT_TRUE(*all == data);
  EXPECT_EQ(body.trailers().at("x-amz-checksum-crc32"), "sOO8/Q==");
}

TEST_F(AwsChunkedBodyTest, MalformedSizesAreRefused) {
  StringBody inner("zz;chunk-signature=00\r\nhello\r\n");
  AwsChunkedBody body(inner, signing_, std::nullopt);
  EXPECT_EQ(ReadAll(body).status().code(), "IncompleteBody");
}

}  // namespace
}  // namespace strato::api::s3
