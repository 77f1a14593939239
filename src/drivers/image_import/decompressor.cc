#include "drivers/image_import/decompressor.h"

#include <bzlib.h>
#include <zlib.h>

#include <vector>

namespace strato {
namespace {

constexpr size_t kOutChunk = 1 << 20;

class Passthrough final : public Decompressor {
 public:
  Status Feed(std::string_view in, const Sink& sink) override { return sink(in); }
  Status Finish() override { return OkStatus(); }
  const char* name() const override { return "none"; }
};

class Bzip2 final : public Decompressor {
 public:
  Bzip2() : out_(kOutChunk) { Init(); }
  ~Bzip2() override { BZ2_bzDecompressEnd(&s_); }

  Status Feed(std::string_view in, const Sink& sink) override {
    size_t produced = 0;
    // A full output buffer may mean more output is pending: go round until it is not.
    while (!in.empty() || produced == out_.size()) {
      if (ended_) {
        if (in.empty()) break;  // a finished stream has nothing pending
        BZ2_bzDecompressEnd(&s_);  // another stream follows (pbzip2, concatenation)
        Init();
      }
      s_.next_in = const_cast<char*>(in.data());
      s_.avail_in = static_cast<unsigned>(in.size());
      s_.next_out = out_.data();
      s_.avail_out = static_cast<unsigned>(out_.size());
      int rc = BZ2_bzDecompress(&s_);
      if (rc != BZ_OK && rc != BZ_STREAM_END) {
        return InvalidParameter("The image is not valid bzip2 data (libbz2 error " +
                                std::to_string(rc) + ").");
      }
      ended_ = rc == BZ_STREAM_END;
      in.remove_prefix(in.size() - s_.avail_in);
      produced = out_.size() - s_.avail_out;
      if (produced) STRATO_RETURN_IF_ERROR(sink(std::string_view(out_.data(), produced)));
    }
    return OkStatus();
  }
  Status Finish() override {
    return ended_ ? OkStatus()
                  : InvalidParameter("The image ends early: its bzip2 stream is truncated.");
  }
  const char* name() const override { return "bzip2"; }

 private:
  void Init() {
    s_ = bz_stream{};
    BZ2_bzDecompressInit(&s_, 0, 0);
    ended_ = false;
  }
  bz_stream s_{};
  std::vector<char> out_;
  bool ended_ = false;
};

class Gzip final : public Decompressor {
 public:
  Gzip() : out_(kOutChunk) { inflateInit2(&s_, 15 + 16); }
  ~Gzip() override { inflateEnd(&s_); }

  Status Feed(std::string_view in, const Sink& sink) override {
    size_t produced = 0;
    while (!in.empty() || produced == out_.size()) {
      if (ended_) {
        if (in.empty()) break;
        inflateReset(&s_);  // another gzip member follows
        ended_ = false;
      }
      s_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      s_.avail_in = static_cast<uInt>(in.size());
      s_.next_out = reinterpret_cast<Bytef*>(out_.data());
      s_.avail_out = static_cast<uInt>(out_.size());
      int rc = inflate(&s_, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
        return InvalidParameter(std::string("The image is not valid gzip data: ") +
                                (s_.msg ? s_.msg : "zlib error " + std::to_string(rc)) + ".");
      }
      ended_ = rc == Z_STREAM_END;
      in.remove_prefix(in.size() - s_.avail_in);
      produced = out_.size() - s_.avail_out;
      if (produced) STRATO_RETURN_IF_ERROR(sink(std::string_view(out_.data(), produced)));
      if (rc == Z_BUF_ERROR && produced == 0) break;  // needs more input
    }
    return OkStatus();
  }
  Status Finish() override {
    return ended_ ? OkStatus()
                  : InvalidParameter("The image ends early: its gzip stream is truncated.");
  }
  const char* name() const override { return "gzip"; }

 private:
  z_stream s_{};
  std::vector<char> out_;
  bool ended_ = false;
};

}  // namespace

std::unique_ptr<Decompressor> MakeDecompressorFor(std::string_view first) {
  if (first.size() >= 3 && first.substr(0, 3) == "BZh") return std::make_unique<Bzip2>();
  if (first.size() >= 2 && static_cast<unsigned char>(first[0]) == 0x1f &&
      static_cast<unsigned char>(first[1]) == 0x8b) {
    return std::make_unique<Gzip>();
  }
  return std::make_unique<Passthrough>();
}

}  // namespace strato
