#include "common/secret_box.h"

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "common/random.h"

namespace strato {
namespace {

static_assert(SecretBox::kKeyBytes == crypto_secretbox_KEYBYTES);
static_assert(SecretBox::kNonceBytes == crypto_secretbox_NONCEBYTES);
static_assert(SecretBox::kTagBytes == crypto_secretbox_MACBYTES);

Status ErrnoStatus(const std::string& what, const std::string& path) {
  return Internal(what + " '" + path + "' failed: " + std::strerror(errno) + ".");
}

// Closes the descriptor on every path out of a function.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }

 private:
  int fd_;
};

bool WriteAll(int fd, const unsigned char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

constexpr char kKeyFileMissing[] = "KeyFileNotFound";

// A missing file comes back as 404 kKeyFileMissing so the caller can decide to create it.
Result<SecretBox::Key> ReadKeyFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0 && errno == ENOENT) {
    return NotFound(kKeyFileMissing, "Key file '" + path + "' does not exist.");
  }
  if (fd.get() < 0) return ErrnoStatus("Opening key file", path);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return ErrnoStatus("Inspecting key file", path);
  if (!S_ISREG(st.st_mode) || st.st_size != static_cast<off_t>(SecretBox::kKeyBytes)) {
    return Internal("Key file '" + path + "' holds " + std::to_string(st.st_size) +
                    " bytes; a secret-box key is exactly 32 bytes. Refusing to replace it.");
  }
  SecretBox::Key key;
  size_t got = 0;
  while (got < key.size()) {
    ssize_t n = ::read(fd.get(), key.data() + got, key.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      sodium_memzero(key.data(), key.size());
      return Internal("Key file '" + path + "' could not be read completely.");
    }
    got += static_cast<size_t>(n);
  }
  return key;
}

void SyncParentDir(const std::string& path) {
  std::string dir = std::filesystem::path(path).parent_path().string();
  Fd fd(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() >= 0) ::fsync(fd.get());
}

// Writes a fresh key to a private temporary file, then link()s it into place: the key
// file appears complete or not at all, and link() fails with EEXIST if another process
// won the race, in which case its key is the one to use.
Status CreateKeyFile(const std::string& path) {
  // Random suffix: concurrent creators (threads or processes) never share a temp file.
  std::string tmp = path + ".tmp." + RandomString(12, "0123456789abcdef");
  SecretBox::Key key;
  RandomBytes(key.data(), key.size());
  {
    Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (fd.get() < 0) return ErrnoStatus("Creating key file", tmp);
    bool ok = WriteAll(fd.get(), key.data(), key.size()) && ::fsync(fd.get()) == 0;
    sodium_memzero(key.data(), key.size());
    if (!ok) {
      Status s = ErrnoStatus("Writing key file", tmp);
      ::unlink(tmp.c_str());
      return s;
    }
  }
  int rc = ::link(tmp.c_str(), path.c_str());
  int link_errno = errno;
  ::unlink(tmp.c_str());
  if (rc != 0 && link_errno != EEXIST) {
    errno = link_errno;
    return ErrnoStatus("Publishing key file", path);
  }
  SyncParentDir(path);
  return OkStatus();
}

}  // namespace

SecretBox::SecretBox(const Key& key) : key_(key) { EnsureSodiumInitialized(); }

SecretBox::~SecretBox() { sodium_memzero(key_.data(), key_.size()); }

SecretBox SecretBox::FromKey(const Key& key) { return SecretBox(key); }

Result<SecretBox> SecretBox::LoadOrCreate(const std::string& key_path) {
  Result<Key> key = ReadKeyFile(key_path);
  if (!key.ok() && key.status().code() == kKeyFileMissing) {
    STRATO_RETURN_IF_ERROR(CreateKeyFile(key_path));
    key = ReadKeyFile(key_path);
  }
  if (!key.ok()) return key.status();
  SecretBox box(*key);
  sodium_memzero(key->data(), key->size());
  return box;
}

std::string SecretBox::Seal(std::string_view plaintext) const {
  std::string sealed(kNonceBytes + plaintext.size() + kTagBytes, '\0');
  auto* out = reinterpret_cast<unsigned char*>(sealed.data());
  RandomBytes(out, kNonceBytes);
  crypto_secretbox_easy(out + kNonceBytes, reinterpret_cast<const unsigned char*>(plaintext.data()),
                        plaintext.size(), out, key_.data());
  return sealed;
}

Result<std::string> SecretBox::Open(std::string_view sealed) const {
  if (sealed.size() < kNonceBytes + kTagBytes) {
    return Internal("Sealed secret is " + std::to_string(sealed.size()) +
                    " bytes, shorter than a nonce and tag; it is truncated or not sealed.");
  }
  const auto* in = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string plain(sealed.size() - kNonceBytes - kTagBytes, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(plain.data()), in + kNonceBytes,
                                 sealed.size() - kNonceBytes, in, key_.data()) != 0) {
    return Internal(
        "Sealed secret failed authentication; it was altered or sealed under another key.");
  }
  return plain;
}

}  // namespace strato
