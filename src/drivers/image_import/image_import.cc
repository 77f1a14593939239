#include "drivers/image_import/image_import.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <vector>

#include "common/digest.h"
#include "common/random.h"
#include "common/subprocess.h"
#include "drivers/image_import/decompressor.h"

namespace strato {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr size_t kReadChunk = 1 << 20;
constexpr size_t kBlock = 4096;
constexpr std::chrono::minutes kToolTimeout{30};

Status Errno(const std::string& what) { return Internal(what + ": " + std::strerror(errno)); }

// True when `n` bytes at `p` are all zero; compares machine words, not bytes (it runs over
// every byte of an upload).
bool AllZero(const char* p, size_t n) {
  static const char kZeros[kBlock] = {};
  while (n >= kBlock) {
    if (std::memcmp(p, kZeros, kBlock) != 0) return false;
    p += kBlock;
    n -= kBlock;
  }
  return n == 0 || std::memcmp(p, kZeros, n) == 0;
}

// Writes a byte stream to a file, leaving whole 4 KiB blocks of zeros as holes: a raw disk
// image is mostly zeros, and qemu-img convert then skips them without reading. Data is
// written straight from the caller's buffer, each run of consecutive data blocks in one
// pwrite; only a block split across two calls is copied, to be completed by the next one.
class SparseWriter {
 public:
  explicit SparseWriter(int fd) : fd_(fd) {}

  Status Write(std::string_view data) {
    if (!partial_.empty()) {
      size_t n = std::min(data.size(), kBlock - partial_.size());
      partial_.append(data.data(), n);
      data.remove_prefix(n);
      if (partial_.size() < kBlock) return OkStatus();
      STRATO_RETURN_IF_ERROR(WriteBlocks(partial_.data(), kBlock));
      partial_.clear();
    }
    const size_t whole = data.size() / kBlock * kBlock;
    STRATO_RETURN_IF_ERROR(WriteBlocks(data.data(), whole));
    partial_.assign(data.data() + whole, data.size() - whole);
    return OkStatus();
  }

  Status Finish() {
    if (!partial_.empty()) {
      const uint64_t at = offset_;
      offset_ += partial_.size();
      if (!AllZero(partial_.data(), partial_.size())) {
        STRATO_RETURN_IF_ERROR(PwriteAll(partial_.data(), partial_.size(), at));
      }
      partial_.clear();
    }
    if (::ftruncate(fd_, static_cast<off_t>(offset_)) != 0) return Errno("ftruncate");
    return OkStatus();
  }

  uint64_t size() const { return offset_ + partial_.size(); }

 private:
  // `n` is a multiple of kBlock and the file offset is block-aligned.
  Status WriteBlocks(const char* p, size_t n) {
    size_t run_start = 0;
    bool in_run = false;
    for (size_t at = 0; at <= n; at += kBlock) {
      const bool data = at < n && !AllZero(p + at, kBlock);
      if (data && !in_run) {
        run_start = at;
        in_run = true;
      } else if (!data && in_run) {
        STRATO_RETURN_IF_ERROR(PwriteAll(p + run_start, at - run_start, offset_ + run_start));
        in_run = false;
      }
    }
    offset_ += n;
    return OkStatus();
  }

  Status PwriteAll(const char* p, size_t left, uint64_t at) {
    while (left > 0) {
      ssize_t w = ::pwrite(fd_, p, left, static_cast<off_t>(at));
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return Errno("write");
      p += w;
      left -= static_cast<size_t>(w);
      at += static_cast<uint64_t>(w);
    }
    return OkStatus();
  }

  int fd_;
  uint64_t offset_ = 0;   // bytes accounted for in the file (always block-aligned but at Finish)
  std::string partial_;   // the start of a block whose end has not arrived yet (< 4 KiB)
};

// Removes its paths when it goes out of scope, unless released.
class Cleanup {
 public:
  explicit Cleanup(std::vector<std::string> paths) : paths_(std::move(paths)) {}
  ~Cleanup() {
    std::error_code ec;
    for (const auto& p : paths_) fs::remove(p, ec);
  }
  void Keep(const std::string& path) { std::erase(paths_, path); }

 private:
  std::vector<std::string> paths_;
};

Status ReceiveInto(const ImageReadFn& read, int fd, ImportedImage& out) {
  std::vector<char> buf(kReadChunk);
  SparseWriter writer(fd);
  std::unique_ptr<Decompressor> decompressor;
  std::string head;  // the first bytes, held until there are enough to recognise
  auto sink = [&](std::string_view d) { return writer.Write(d); };
  while (true) {
    STRATO_ASSIGN_OR_RETURN(size_t n, read(buf.data(), buf.size()));
    std::string_view got(buf.data(), n);
    out.uploaded_bytes += n;
    if (!decompressor) {
      head.append(got);
      if (head.size() < 3 && n > 0) continue;
      decompressor = MakeDecompressorFor(head);
      out.compression = decompressor->name();
      STRATO_RETURN_IF_ERROR(decompressor->Feed(head, sink));
    } else if (n > 0) {
      STRATO_RETURN_IF_ERROR(decompressor->Feed(got, sink));
    }
    if (n == 0) break;
  }
  if (out.uploaded_bytes == 0) return InvalidParameter("The image is empty.");
  STRATO_RETURN_IF_ERROR(decompressor->Finish());
  STRATO_RETURN_IF_ERROR(writer.Finish());
  if (writer.size() == 0) return InvalidParameter("The image is empty once decompressed.");
  return OkStatus();
}

Result<json> QemuImgJson(const ImageImportOptions& o, std::vector<std::string> args,
                         const std::string& what) {
  args.insert(args.begin(), o.qemu_img);
  STRATO_ASSIGN_OR_RETURN(auto r, RunCaptured(args, kToolTimeout));
  if (r.exit_code != 0) {
    return InvalidParameter("The image is not readable as a disk image (" + what + ": " +
                            r.error.substr(0, 300) + ").");
  }
  json j = json::parse(r.output, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Internal("qemu-img " + what + " printed no JSON");
  return j;
}

// What the content is, from qemu-img's own probe; refuses what we do not keep.
Status Identify(const ImageImportOptions& o, const std::string& path, ImportedImage& out) {
  STRATO_ASSIGN_OR_RETURN(json info, QemuImgJson(o, {"info", "--output=json", path}, "info"));
  out.source_format = info.value("format", "");
  if (out.source_format != "raw" && out.source_format != "qcow2") {
    return InvalidParameter("The image format '" + out.source_format +
                            "' is not supported: upload raw, qcow2, or bzip2/gzip-compressed raw.");
  }
  if (info.contains("backing-filename") || info.contains("full-backing-filename")) {
    return InvalidParameter("The image refers to a backing file; upload a self-contained image.");
  }
  if (info.contains("format-specific") &&
      info["format-specific"].value("data", json::object()).contains("data-file")) {
    return InvalidParameter("The image refers to an external data file; upload a self-contained "
                            "image.");
  }
  out.virtual_size = info.value("virtual-size", uint64_t{0});
  if (out.virtual_size == 0) return InvalidParameter("The image describes an empty disk.");
  if (out.virtual_size > o.max_virtual_size) {
    return InvalidParameter("The image's disk size " + std::to_string(out.virtual_size) +
                            " exceeds the limit of " + std::to_string(o.max_virtual_size) +
                            " bytes.");
  }
  if (out.source_format == "qcow2") {
    STRATO_ASSIGN_OR_RETURN(auto check,
                            RunCaptured({o.qemu_img, "check", "-f", "qcow2", path}, kToolTimeout));
    // 0 = clean, 3 = only leaked clusters (harmless); 1 = unreadable, 2 = corrupt.
    if (check.exit_code != 0 && check.exit_code != 3) {
      return InvalidParameter("The qcow2 image is corrupt or truncated (qemu-img check: " +
                              (check.output + check.error).substr(0, 300) + ").");
    }
  }
  return OkStatus();
}

Status SyncPath(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return Errno("open " + path);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? OkStatus() : Errno("fsync " + path);
}

}  // namespace

Result<std::string> FileSha256(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Errno("open " + path);
  Hasher h = Hasher::Sha256();
  std::vector<char> buf(kReadChunk);
  while (true) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return Errno("read " + path);
    }
    if (n == 0) break;
    h.Update(std::string_view(buf.data(), static_cast<size_t>(n)));
  }
  ::close(fd);
  return h.FinishHex();
}

Result<ImportedImage> SpoolImage(const ImageReadFn& read, const std::string& spool_path,
                                 const ImageImportOptions& options) {
  std::error_code ec;
  fs::create_directories(fs::path(spool_path).parent_path(), ec);
  if (ec) return Internal("cannot create the directory of " + spool_path + ": " + ec.message());
  Cleanup cleanup({spool_path});
  ImportedImage out;
  int fd = ::open(spool_path.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("create " + spool_path);
  Status received = ReceiveInto(read, fd, out);
  ::close(fd);
  STRATO_RETURN_IF_ERROR(received);
  STRATO_RETURN_IF_ERROR(Identify(options, spool_path, out));
  // Durable before anyone records that it is waiting for conversion.
  STRATO_RETURN_IF_ERROR(SyncPath(spool_path, O_RDONLY));
  cleanup.Keep(spool_path);
  return out;
}

Result<ImportedImage> ImportImage(const ImageReadFn& read, const std::string& scratch_dir,
                                  const std::string& dest, const ImageImportOptions& options) {
  std::error_code ec;
  fs::create_directories(scratch_dir, ec);
  if (ec) return Internal("cannot create " + scratch_dir + ": " + ec.message());
  const std::string tag = RandomString(12, "0123456789abcdef");
  const std::string scratch = scratch_dir + "/upload-" + tag;
  const std::string partial = scratch_dir + "/converted-" + tag + ".qcow2";
  Cleanup cleanup({scratch, partial});

  STRATO_ASSIGN_OR_RETURN(ImportedImage out, SpoolImage(read, scratch, options));
  STRATO_ASSIGN_OR_RETURN(auto conv, RunCaptured({options.qemu_img, "convert", "-f",
                                                  out.source_format, "-O", "qcow2", scratch,
                                                  partial},
                                                 kToolTimeout));
  if (conv.exit_code != 0) {
    return InvalidParameter("The image could not be converted (qemu-img convert: " +
                            conv.error.substr(0, 300) + ").");
  }
  fs::remove(scratch, ec);  // free the space before the final copy is in place
  STRATO_RETURN_IF_ERROR(SyncPath(partial, O_RDONLY));
  STRATO_ASSIGN_OR_RETURN(out.sha256, FileSha256(partial));
  out.stored_bytes = fs::file_size(partial, ec);
  fs::create_directories(fs::path(dest).parent_path(), ec);
  if (::rename(partial.c_str(), dest.c_str()) != 0) return Errno("rename to " + dest);
  cleanup.Keep(partial);
  STRATO_RETURN_IF_ERROR(SyncPath(fs::path(dest).parent_path().string(), O_RDONLY | O_DIRECTORY));
  return out;
}

}  // namespace strato
