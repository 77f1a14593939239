#pragma once
// AwsChunkedBody: decodes an `aws-chunked` request body (Content-Encoding: aws-chunked) as
// it streams in, yielding the object's bytes:
//   STREAMING-AWS4-HMAC-SHA256-PAYLOAD           "<hex>;chunk-signature=<sig>\r\n<data>\r\n"…,
//                                                 each signature chained from the request's
//   STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER   the same, then trailing headers
//   STREAMING-UNSIGNED-PAYLOAD-TRAILER           "<hex>\r\n<data>\r\n"…, then trailing headers
// A chunk whose signature does not match fails the read at the chunk's end
// (SignatureDoesNotMatch); malformed framing fails with IncompleteBody. Handlers that commit
// only after reading to the end therefore never store a forged or torn body. Trailing
// headers (x-amz-checksum-*) are available once the body has been read.
//
// Cost: chunk data is read from the inner stream straight into the caller's buffer (the
// object writer's 1 MiB blocks), as a plain Content-Length body is; only the framing (chunk
// headers, CRLFs, trailers) goes through a small buffer here, from which the few data bytes
// that follow a header are copied once. So a large aws-chunked body costs one user-space
// copy per byte plus a few small reads per chunk.
// Thread-safety: one reader, like http::BodyStream.

#include <array>
#include <map>
#include <optional>
#include <string>

#include "common/digest.h"
#include "common/sigv4.h"
#include "http/http_types.h"

namespace strato::api::s3 {

struct ChunkSigning {
  std::string signing_key;  // binary
  std::string amz_date;
  sigv4::Credential credential;
  std::string seed_signature;
};

class AwsChunkedBody final : public http::BodyStream {
 public:
  // `signing` absent: chunks carry no signatures (STREAMING-UNSIGNED-PAYLOAD-TRAILER).
  // `decoded_length`: x-amz-decoded-content-length, checked at the end when given.
  AwsChunkedBody(http::BodyStream& inner, std::optional<ChunkSigning> signing,
                 std::optional<uint64_t> decoded_length);

  Result<size_t> Read(char* out, size_t max) override;
  std::optional<uint64_t> content_length() const override { return decoded_length_; }

  // Trailing headers (names lower-cased); complete once Read has returned 0.
  const std::map<std::string, std::string>& trailers() const { return trailers_; }

 private:
  enum class State { kChunkHeader, kData, kDataEnd, kTrailers, kDone };
  // How much one framing read asks for: a chunk header with its signature is ~90 bytes, so
  // this usually takes the previous chunk's CRLF, the header and a little data at once.
  static constexpr size_t kFramingRead = 1024;

  // Makes at least one byte available in framing_ (false at the end of the input).
  Result<bool> Fill();
  // The next bytes of the current chunk's data into `out`: what framing_ still holds of
  // them, else a read of the inner stream straight into `out`.
  Result<size_t> ReadData(char* out, size_t max);
  // A line ending in CRLF, without it.
  Result<std::string> ReadLine();
  Status StartChunk(const std::string& header);
  Status EndChunk();

  http::BodyStream& inner_;
  std::optional<ChunkSigning> signing_;
  std::optional<uint64_t> decoded_length_;
  std::array<char, kFramingRead> framing_;
  size_t framing_size_ = 0;  // bytes of framing_ read from the inner stream
  size_t pos_ = 0;           // of them, already consumed
  State state_ = State::kChunkHeader;
  uint64_t chunk_left_ = 0;
  std::string chunk_signature_;
  std::optional<Hasher> chunk_hash_;
  std::string previous_signature_;
  uint64_t total_ = 0;
  std::map<std::string, std::string> trailers_;
};

}  // namespace strato::api::s3
