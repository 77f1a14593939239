#include "api/s3/aws_chunked_body.h"

#include <algorithm>
#include <charconv>
#include <cstring>

namespace strato::api::s3 {
namespace {

constexpr size_t kMaxLine = 4096;
constexpr size_t kFill = 64 << 10;

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
  if (pos_ < buffer_.size()) return true;
  buffer_.resize(kFill);
  pos_ = 0;
  STRATO_ASSIGN_OR_RETURN(size_t n, inner_.Read(buffer_.data(), buffer_.size()));
  buffer_.resize(n);
  return n > 0;
}

Result<std::string> AwsChunkedBody::ReadLine() {
  std::string line;
  for (;;) {
    STRATO_ASSIGN_OR_RETURN(bool more, Fill());
    if (!more) return Framing("it ends inside a chunk header");
    size_t nl = buffer_.find('\n', pos_);
    size_t end = nl == std::string::npos ? buffer_.size() : nl;
    line.append(buffer_, pos_, end - pos_);
    pos_ = nl == std::string::npos ? buffer_.size() : nl + 1;
    if (line.size() > kMaxLine) return Framing("a chunk header is too long");
    if (nl != std::string::npos) break;
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

Result<size_t> AwsChunkedBody::Read(char* out, size_t max) {
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
        STRATO_ASSIGN_OR_RETURN(bool more, Fill());
        if (!more) return Framing("it ends inside a chunk");
        size_t n = static_cast<size_t>(
            std::min<uint64_t>({max, chunk_left_, buffer_.size() - pos_}));
        std::memcpy(out, buffer_.data() + pos_, n);
        if (chunk_hash_) chunk_hash_->Update(std::string_view(out, n));
        pos_ += n;
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
