#include "objectstore/object_body_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/digest.h"
#include "objectstore/background_hasher.h"

namespace strato {
namespace {

constexpr size_t kBlockBytes = 1 << 20;
constexpr uint64_t kWriteBehindBytes = 8 << 20;

using Block = std::unique_ptr<char[]>;

Block NewBlock() { return Block(new char[kBlockBytes]); }

Status WriteAll(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return Internal(std::string("write: ") + std::strerror(errno));
    p += w;
    n -= static_cast<size_t>(w);
  }
  return OkStatus();
}

// Reads until `block` is full or the body ends (`ended`); returns how many bytes it holds.
Result<size_t> FillBlock(const ByteReadFn& read, char* block, size_t capacity, bool& ended) {
  size_t filled = 0;
  while (filled < capacity) {
    STRATO_ASSIGN_OR_RETURN(size_t n, read(block + filled, capacity - filled));
    if (n == 0) {
      ended = true;
      break;
    }
    filled += n;
  }
  return filled;
}

// Starts writeback of [from, to) without waiting for it. Only a hint: fsync still decides
// durability, so a failure here (e.g. a filesystem without support) is ignored.
void StartWriteback(int fd, uint64_t from, uint64_t to) {
  ::sync_file_range(fd, static_cast<off_t>(from), static_cast<off_t>(to - from),
                    SYNC_FILE_RANGE_WRITE);
}

}  // namespace

Status WriteObjectBody(int fd, const ByteReadFn& read, uint64_t max_size, bool with_sha256,
                       WrittenFile& out) {
  // Declared before the hasher, so they outlive the block it may still be hashing.
  Block blocks[2] = {NewBlock(), nullptr};
  Hasher md5 = Hasher::Md5();
  std::optional<BackgroundHasher> background_md5;
  std::optional<Hasher> sha;
  if (with_sha256) sha.emplace(Hasher::Sha256());
  uint64_t size = 0;
  uint64_t written_back = 0;
  bool ended = false;
  for (int current = 0; !ended; current ^= 1) {
    if (!blocks[current]) blocks[current] = NewBlock();
    char* block = blocks[current].get();
    STRATO_ASSIGN_OR_RETURN(size_t n, FillBlock(read, block, kBlockBytes, ended));
    size += n;
    if (size > max_size) {
      return BadRequest("EntityTooLarge", "Your proposed upload exceeds the maximum allowed size.");
    }
    if (n == 0) break;
    std::string_view piece(block, n);
    // A body of one block is hashed in place: a thread would cost more than it saves.
    if (!background_md5 && !ended) background_md5.emplace(std::move(md5));
    if (background_md5) {
      background_md5->Submit(piece);
    } else {
      md5.Update(piece);
    }
    if (sha) sha->Update(piece);
    STRATO_RETURN_IF_ERROR(WriteAll(fd, block, n));
    if (size - written_back >= kWriteBehindBytes) {
      StartWriteback(fd, written_back, size);
      written_back = size;
    }
  }
  out.size = static_cast<int64_t>(size);
  out.md5_hex = background_md5 ? background_md5->FinishHex() : md5.FinishHex();
  if (sha) out.sha256_hex = sha->FinishHex();
  return OkStatus();
}

}  // namespace strato
