#pragma once
// ObjectFiles: where the object store keeps object bytes — one file per stored object
// version under <root>/<bucket-id>/, written beside in <root>/tmp/ and renamed into place
// only when complete and synced, so a crash never leaves a half-written object visible.
// Metadata lives in the Store; ObjectFiles knows nothing of keys.
//
// Thread-safety: every method may be called concurrently (distinct random file names).

#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace strato {

using ByteReadFn = std::function<Result<size_t>(char* out, size_t max)>;

struct WrittenFile {
  std::string data_file;  // name inside the bucket's directory
  int64_t size = 0;
  std::string md5_hex;
  std::string sha256_hex;  // only when asked for (Write's `with_sha256`)
};

// Reads one file (or a byte range of it) from an open descriptor: the bytes stay readable
// even if the object is overwritten or deleted meanwhile.
class ObjectReader {
 public:
  ObjectReader(int fd, uint64_t offset, uint64_t length);
  ~ObjectReader();
  ObjectReader(const ObjectReader&) = delete;
  ObjectReader& operator=(const ObjectReader&) = delete;
  uint64_t size() const { return length_; }
  // Up to `max` next bytes of the range; 0 at its end.
  Result<size_t> Read(char* out, size_t max);
  // For senders that copy in the kernel (sendfile): the open file, which this reader still
  // owns, and the offset of the next byte Read would give.
  int fd() const { return fd_; }
  uint64_t position() const { return next_; }

 private:
  int fd_;
  uint64_t next_;
  uint64_t end_;
  uint64_t length_;
};

class ObjectFiles {
 public:
  explicit ObjectFiles(std::string root);

  // Streams `read` to a new file of bucket `bucket_id`, hashing as it goes. Stops with
  // EntityTooLarge past max_size. Nothing is left behind on error.
  // MD5 is always computed (the ETag); SHA-256 only `with_sha256`, when a client declared one
  // to check (the signed payload hash is already checked as the body is read).
  Result<WrittenFile> Write(const std::string& bucket_id, const ByteReadFn& read,
                            uint64_t max_size, bool with_sha256);
  // Joins stored files of the bucket, in order, into a new one (kernel-side copies; no
  // hashes: a multipart ETag is made from the parts' own). Nothing is left behind on error.
  Result<WrittenFile> Concatenate(const std::string& bucket_id,
                                  const std::vector<std::string>& data_files);
  // Opens [offset, offset+length) of a stored file. NotFound("NoSuchKey") if it is gone.
  Result<std::unique_ptr<ObjectReader>> Open(const std::string& bucket_id,
                                             const std::string& data_file, uint64_t offset,
                                             uint64_t length);
  // Best effort: a file that is already gone is fine.
  void Remove(const std::string& bucket_id, const std::string& data_file);
  Status CreateBucketDir(const std::string& bucket_id);
  void RemoveBucketDir(const std::string& bucket_id);
  // Removes unfinished writes (left by a crash); call once at start.
  void ClearScratch();
  // Removes what no record refers to — bucket directories not in `buckets` (by id), and
  // files not in `referenced` (by bucket id, then file name) — left by a crash between
  // writing a file and committing its record, or between a commit and a removal. Call at
  // start, before serving. Returns how many files and directories were removed.
  size_t RemoveUnreferenced(const std::map<std::string, std::set<std::string>>& referenced);

 private:
  std::string Path(const std::string& bucket_id, const std::string& data_file) const;
  const std::string root_;
};

}  // namespace strato
