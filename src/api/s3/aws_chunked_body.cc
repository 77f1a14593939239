#include "api/s3/aws_chunked_body.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace strato::api::s3 {
namespace {

constexpr size_t kMaxLine = 4096;

Status Framing(const std::string& why) {
  return BadRequest("IncompleteBody", "The aws-chunked body is malformed: " + why + ".");
}

// "AWS4-HMAC-SHA256-PAYLOAD" string to sign for one chunk, given its data's SHA-256.
std::string ChunkStringToSign(const ChunkSigning& s, const std::string& previous,
                              const std::string& data_sha256_hex) {
  return "AWS4-HMAC-SHA256-PAYLOAD\n" + s.amz_date + "\n" + sigv4::CredentialScope(s.credential) +
         "\n" + previous + "\n" + std::string(sigv4::kEmptySha256) + "\n" + data_sha256_hex;
}

}  // namespace

AwsChunkedBody::AwsChunkedBody(http::BodyStream& inner, std::optional<ChunkSigning> signing,
                               std::optional<uint64_t> decoded_length)
    : inner_(inner), signing_(std::move(signing)), decoded_length_(decoded_length) {
  if (signing_) previous_signature_ = signing_->seed_signature;
}

Result<bool> AwsChunkedBody::Fill() {
  if (pos_ < framing_size_) return true;
  pos_ = 0;
  STRATO_ASSIGN_OR_RETURN(framing_size_, inner_.Read(framing_.data(), framing_.size()));
  return framing_size_ > 0;
}

Result<std::string> AwsChunkedBody::ReadLine() {
  std::string line;
  for (;;) {
    STRATO_ASSIGN_OR_RETURN(bool more, Fill());
    if (!more) return Framing("it ends inside a chunk header");
    const char* start = framing_.data() + pos_;
    const char* nl = static_cast<const char*>(std::memchr(start, '\n', framing_size_ - pos_));
    const char* end = nl ? nl : framing_.data() + framing_size_;
    line.append(start, end);
    pos_ = static_cast<size_t>(end - framing_.data()) + (nl ? 1 : 0);
    if (line.size() > kMaxLine) return Framing("a chunk header is too long");
    if (nl) break;
  }
  if (line.empty() || line.back() != '\r') return Framing("a line does not end in CRLF");
  line.pop_back();
  return line;
}

Status AwsChunkedBody::StartChunk(const std::string& header) {
  std::string_view h(header);
  size_t semi = h.find(';');
  std::string_view hex = h.substr(0, semi);
  uint64_t size = 0;
  auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), size, 16);
  if (hex.empty() || ec != std::errc() || end != hex.data() + hex.size()) {
    return Framing("a chunk size is not hexadecimal");
  }
  chunk_signature_.clear();
  if (semi != std::string_view::npos) {
    std::string_view ext = h.substr(semi + 1);
    constexpr std::string_view kSig = "chunk-signature=";
    if (ext.rfind(kSig, 0) != 0) return Framing("unknown chunk extension");
    chunk_signature_ = std::string(ext.substr(kSig.size()));
  }
  if (signing_ && chunk_signature_.empty()) {
    return Forbidden("SignatureDoesNotMatch", "A chunk of a signed aws-chunked body has no "
                                              "signature.");
  }
  chunk_left_ = size;
  if (signing_) chunk_hash_.emplace(Hasher::Sha256());
  state_ = size == 0 ? (signing_ ? State::kDataEnd : State::kTrailers) : State::kData;
  if (size == 0) {
    STRATO_RETURN_IF_ERROR(EndChunk());
    state_ = State::kTrailers;
  }
  return OkStatus();
}

Status AwsChunkedBody::EndChunk() {
  if (!signing_) return OkStatus();
  std::string expected = sigv4::Signature(
      signing_->signing_key,
      ChunkStringToSign(*signing_, previous_signature_, chunk_hash_->FinishHex()));
  chunk_hash_.reset();
  if (!sigv4::SignaturesEqual(expected, chunk_signature_)) {
    return Forbidden("SignatureDoesNotMatch",
                     "The chunk signature does not match (aws-chunked body).");
  }
  previous_signature_ = chunk_signature_;
  return OkStatus();
}

Result<size_t> AwsChunkedBody::ReadData(char* out, size_t max) {
  const size_t want = static_cast<size_t>(std::min<uint64_t>(max, chunk_left_));
  if (pos_ < framing_size_) {
    size_t n = std::min(want, framing_size_ - pos_);
    std::memcpy(out, framing_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  // Never past the chunk's end: what follows is framing, which goes to framing_.
  STRATO_ASSIGN_OR_RETURN(size_t n, inner_.Read(out, want));
  if (n == 0 && want > 0) return Framing("it ends inside a chunk");
  return n;
}

Result<size_t> AwsChunkedBody::Read(char* out, size_t max) {
  if (max == 0) return size_t{0};
  for (;;) {
    switch (state_) {
      case State::kDone:
        return size_t{0};
      case State::kChunkHeader: {
        STRATO_ASSIGN_OR_RETURN(std::string header, ReadLine());
        STRATO_RETURN_IF_ERROR(StartChunk(header));
        break;
      }
      case State::kData: {
        STRATO_ASSIGN_OR_RETURN(size_t n, ReadData(out, max));
        if (chunk_hash_) chunk_hash_->Update(std::string_view(out, n));
        chunk_left_ -= n;
        total_ += n;
        if (chunk_left_ == 0) state_ = State::kDataEnd;
        if (n > 0) return n;
        break;
      }
      case State::kDataEnd: {
        STRATO_ASSIGN_OR_RETURN(std::string line, ReadLine());
        if (!line.empty()) return Framing("chunk data is longer than its declared size");
        STRATO_RETURN_IF_ERROR(EndChunk());
        state_ = State::kChunkHeader;
        break;
      }
      case State::kTrailers: {
        // Trailing headers until an empty line; a signed zero chunk may end the body at once.
        STRATO_ASSIGN_OR_RETURN(bool more, Fill());
        if (!more) {
          state_ = State::kDone;
        } else {
          STRATO_ASSIGN_OR_RETURN(std::string line, ReadLine());
          if (line.empty()) {
            state_ = State::kDone;
          } else {
            size_t colon = line.find(':');
            if (colon == std::string::npos) return Framing("a trailer has no ':'");
            std::string name = line.substr(0, colon);
            std::transform(name.begin(), name.end(), name.begin(), ::tolower);
            std::string value = line.substr(colon + 1);
            while (!value.empty() && value.front() == ' ') value.erase(0, 1);
            trailers_[name] = value;
            break;
          }
        }
        if (decoded_length_ && *decoded_length_ != total_) {
          return BadRequest("IncompleteBody",
                            "The decoded body has " + std::to_string(total_) +
                                " bytes, not x-amz-decoded-content-length " +
                                std::to_string(*decoded_length_) + ".");
        }
        return size_t{0};
      }
    }
  }
}

}  // namespace strato::api::s3
