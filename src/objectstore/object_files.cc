#include "objectstore/object_files.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "common/random.h"
#include "objectstore/object_body_writer.h"

namespace strato {
namespace {

namespace fs = std::filesystem;

Status Errno(const std::string& what) { return Internal(what + ": " + std::strerror(errno)); }

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return Errno("open " + dir);
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? OkStatus() : Errno("fsync " + dir);
}

}  // namespace

ObjectReader::ObjectReader(int fd, uint64_t offset, uint64_t length)
    : fd_(fd), next_(offset), end_(offset + length), length_(length) {}

ObjectReader::~ObjectReader() { ::close(fd_); }

Result<size_t> ObjectReader::Read(char* out, size_t max) {
  size_t want = static_cast<size_t>(std::min<uint64_t>(max, end_ - next_));
  if (want == 0) return size_t{0};
  for (;;) {
    ssize_t n = ::pread(fd_, out, want, static_cast<off_t>(next_));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("read object");
    if (n == 0) return Internal("object file shorter than its record");
    next_ += static_cast<uint64_t>(n);
    return static_cast<size_t>(n);
  }
}

ObjectFiles::ObjectFiles(std::string root) : root_(std::move(root)) {}

std::string ObjectFiles::Path(const std::string& bucket_id, const std::string& data_file) const {
  return root_ + "/" + bucket_id + "/" + data_file;
}

Status ObjectFiles::CreateBucketDir(const std::string& bucket_id) {
  std::error_code ec;
  fs::create_directories(root_ + "/" + bucket_id, ec);
  if (ec) return Internal("cannot create bucket directory: " + ec.message());
  return OkStatus();
}

void ObjectFiles::RemoveBucketDir(const std::string& bucket_id) {
  std::error_code ec;
  fs::remove_all(root_ + "/" + bucket_id, ec);
}

void ObjectFiles::ClearScratch() {
  std::error_code ec;
  fs::remove_all(root_ + "/tmp", ec);
}

size_t ObjectFiles::RemoveUnreferenced(
    const std::map<std::string, std::set<std::string>>& referenced) {
  size_t removed = 0;
  std::error_code ec;
  for (const auto& dir : fs::directory_iterator(root_, ec)) {
    const std::string name = dir.path().filename().string();
    if (name == "tmp" || !dir.is_directory()) continue;
    auto bucket = referenced.find(name);
    if (bucket == referenced.end()) {
      removed += static_cast<size_t>(fs::remove_all(dir.path(), ec));
      continue;
    }
    for (const auto& file : fs::directory_iterator(dir.path(), ec)) {
      if (!bucket->second.count(file.path().filename().string())) {
        removed += fs::remove(file.path(), ec) ? 1 : 0;
      }
    }
  }
  return removed;
}

Result<WrittenFile> ObjectFiles::Write(const std::string& bucket_id, const ByteReadFn& read,
                                       uint64_t max_size, bool with_sha256) {
  std::error_code ec;
  fs::create_directories(root_ + "/tmp", ec);
  if (ec) return Internal("cannot create " + root_ + "/tmp: " + ec.message());
  WrittenFile out;
  out.data_file = RandomString(24, "0123456789abcdefghijklmnopqrstuvwxyz");
  const std::string scratch = root_ + "/tmp/" + out.data_file;
  int fd = ::open(scratch.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("create " + scratch);
  Status s = WriteObjectBody(fd, read, max_size, with_sha256, out);
  if (s.ok() && ::fsync(fd) != 0) s = Errno("fsync");
  ::close(fd);
  if (s.ok()) s = CreateBucketDir(bucket_id);
  if (s.ok() && ::rename(scratch.c_str(), Path(bucket_id, out.data_file).c_str()) != 0) {
    s = Errno("rename");
  }
  if (!s.ok()) {
    fs::remove(scratch, ec);
    return s;
  }
  STRATO_RETURN_IF_ERROR(SyncDir(root_ + "/" + bucket_id));
  return out;
}

Result<WrittenFile> ObjectFiles::Concatenate(const std::string& bucket_id,
                                             const std::vector<std::string>& data_files) {
  std::error_code ec;
  fs::create_directories(root_ + "/tmp", ec);
  WrittenFile out;
  out.data_file = RandomString(24, "0123456789abcdefghijklmnopqrstuvwxyz");
  const std::string scratch = root_ + "/tmp/" + out.data_file;
  int fd = ::open(scratch.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) return Errno("create " + scratch);
  Status s;
  for (const auto& part : data_files) {
    int in = ::open(Path(bucket_id, part).c_str(), O_RDONLY | O_CLOEXEC);
    if (in < 0) {
      s = Errno("open part " + part);
      break;
    }
    for (;;) {
      ssize_t n = ::copy_file_range(in, nullptr, fd, nullptr, 1 << 30, 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        s = Errno("copy_file_range");
        break;
      }
      if (n == 0) break;
      out.size += n;
    }
    ::close(in);
    if (!s.ok()) break;
  }
  if (s.ok() && ::fsync(fd) != 0) s = Errno("fsync");
  ::close(fd);
  if (s.ok() && ::rename(scratch.c_str(), Path(bucket_id, out.data_file).c_str()) != 0) {
    s = Errno("rename");
  }
  if (!s.ok()) {
    fs::remove(scratch, ec);
    return s;
  }
  STRATO_RETURN_IF_ERROR(SyncDir(root_ + "/" + bucket_id));
  return out;
}

Result<std::unique_ptr<ObjectReader>> ObjectFiles::Open(const std::string& bucket_id,
                                                        const std::string& data_file,
                                                        uint64_t offset, uint64_t length) {
  int fd = ::open(Path(bucket_id, data_file).c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return NotFound("NoSuchKey", "The specified key does not exist.");
  // Objects are read front to back: a larger readahead window keeps the disk ahead of the
  // socket when the object is no longer cached. Only a hint.
  ::posix_fadvise(fd, static_cast<off_t>(offset), static_cast<off_t>(length),
                  POSIX_FADV_SEQUENTIAL);
  return std::make_unique<ObjectReader>(fd, offset, length);
}

void ObjectFiles::Remove(const std::string& bucket_id, const std::string& data_file) {
  std::error_code ec;
  if (!data_file.empty()) fs::remove(Path(bucket_id, data_file), ec);
}

}  // namespace strato
