#include "drivers/storage/qcow2_storage_driver.h"

#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/ids.h"
#include "drivers/storage/command_runner.h"

namespace strato {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kSuffix = ".qcow2";
constexpr const char* kTempPrefix = ".tmp-";

Status ValidateBlobId(const std::string& id) {
  if (!IsResourceId(id, "blob")) {
    return InvalidParameter("'" + id + "' is not a blob id (blob-<17 hex digits>).");
  }
  return OkStatus();
}

Status FsyncPath(const std::string& path, bool directory) {
  int fd = ::open(path.c_str(), (directory ? O_RDONLY | O_DIRECTORY : O_RDWR) | O_CLOEXEC);
  if (fd < 0) return Internal("cannot open " + path + " to sync it");
  int rc = ::fsync(fd);
  ::close(fd);
  return rc == 0 ? OkStatus() : Internal("cannot sync " + path);
}

// The blob id a backing file name refers to ("blob-….qcow2", possibly with a directory).
std::string BlobIdOfFile(const std::string& name) {
  std::string base = fs::path(name).filename().string();
  if (base.size() > 6 && base.ends_with(kSuffix)) base.resize(base.size() - 6);
  return base;
}

}  // namespace

Qcow2StorageDriver::Qcow2StorageDriver(Qcow2StorageOptions options)
    : options_(std::move(options)) {
  std::error_code ec;
  fs::create_directories(options_.root, ec);
}

std::string Qcow2StorageDriver::Path(const std::string& id) const {
  return options_.root + "/" + id + kSuffix;
}

std::string Qcow2StorageDriver::TempPath(const std::string& id) const {
  return options_.root + "/" + kTempPrefix + id + kSuffix;
}

Status Qcow2StorageDriver::RunQemuImg(std::vector<std::string> args, std::string* out) {
  args.insert(args.begin(), options_.qemu_img);
  STRATO_ASSIGN_OR_RETURN(auto r, RunCommand(args, options_.timeout));
  if (r.exit_code != 0) {
    std::string why = r.err.empty() ? r.out : r.err;
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return Internal("qemu-img " + args[1] + " failed (exit " + std::to_string(r.exit_code) +
                    "): " + why);
  }
  if (out) *out = std::move(r.out);
  return OkStatus();
}

Status Qcow2StorageDriver::Publish(const std::string& id) {
  STRATO_RETURN_IF_ERROR(FsyncPath(TempPath(id), false));
  std::error_code ec;
  fs::rename(TempPath(id), Path(id), ec);
  if (ec) return Internal("cannot rename " + TempPath(id) + ": " + ec.message());
  return FsyncPath(options_.root, true);
}

Status Qcow2StorageDriver::Create(const std::string& id, int64_t size_bytes,
                                  const std::string& backing_id) {
  STRATO_RETURN_IF_ERROR(ValidateBlobId(id));
  if (!backing_id.empty()) STRATO_RETURN_IF_ERROR(ValidateBlobId(backing_id));
  if (size_bytes < 0 || (size_bytes == 0 && backing_id.empty())) {
    return InvalidParameter("a blob needs a positive size.");
  }
  if (fs::exists(Path(id))) {
    STRATO_ASSIGN_OR_RETURN(auto info, Inspect(id));
    if (info.backing_id == backing_id) return OkStatus();
    return Internal("blob " + id + " exists with another backing blob");
  }
  if (!backing_id.empty() && !fs::exists(Path(backing_id))) {
    return NotFound("InvalidBlob.NotFound", "The backing blob " + backing_id + " does not exist.");
  }
  std::error_code ec;
  fs::remove(TempPath(id), ec);
  std::vector<std::string> args = {"create", "-q", "-f", "qcow2"};
  if (!backing_id.empty()) {
    // Relative: qemu resolves it against the overlay's own directory.
    args.insert(args.end(), {"-b", backing_id + kSuffix, "-F", "qcow2"});
    // With the size given the backing need not be opened (a running guest may hold it).
    if (size_bytes > 0) args.push_back("-u");
  }
  args.push_back(TempPath(id));
  if (size_bytes > 0) args.push_back(std::to_string(size_bytes));
  Status s = RunQemuImg(args);
  if (s.ok()) s = Publish(id);
  if (!s.ok()) fs::remove(TempPath(id), ec);
  return s;
}

Status Qcow2StorageDriver::Import(const std::string& id, const std::string& source_path) {
  STRATO_RETURN_IF_ERROR(ValidateBlobId(id));
  if (fs::exists(Path(id))) return OkStatus();
  std::string out;
  Status s = RunQemuImg({"info", "--output=json", source_path}, &out);
  if (!s.ok()) return InvalidParameter("the image cannot be read: " + s.message());
  json info = json::parse(out, nullptr, false);
  if (info.is_discarded() || !info.contains("format")) {
    return InvalidParameter("qemu-img did not recognise the image.");
  }
  if (info.contains("backing-filename")) {
    return InvalidParameter("the image names a backing file; only self-contained images import.");
  }
  const std::string format = info["format"].get<std::string>();
  if (format != "raw" && format != "qcow2") {
    return InvalidParameter("the image format '" + format + "' is not supported (raw, qcow2).");
  }
  std::error_code ec;
  fs::remove(TempPath(id), ec);
  s = RunQemuImg({"convert", "-q", "-f", format, "-O", "qcow2", source_path, TempPath(id)});
  if (s.ok()) s = Publish(id);
  if (!s.ok()) fs::remove(TempPath(id), ec);
  return s;
}

Status Qcow2StorageDriver::Grow(const std::string& id, int64_t size_bytes) {
  STRATO_ASSIGN_OR_RETURN(auto info, Inspect(id));
  if (size_bytes == info.virtual_size) return OkStatus();  // idempotent repeat
  if (size_bytes < info.virtual_size) {
    return InvalidParameter("a blob can only grow (" + std::to_string(info.virtual_size) +
                            " → " + std::to_string(size_bytes) + " bytes).");
  }
  // Growing a qcow2 only rewrites its header's size (one sector): old or new after a crash.
  return RunQemuImg({"resize", "-q", "-f", "qcow2", Path(id), std::to_string(size_bytes)});
}

Result<BlobInfo> Qcow2StorageDriver::Inspect(const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateBlobId(id));
  if (!fs::exists(Path(id))) {
    return NotFound("InvalidBlob.NotFound", "The blob " + id + " does not exist.");
  }
  std::string out;
  // -U: a running guest holds the image's write lock; reading metadata is still safe.
  STRATO_RETURN_IF_ERROR(RunQemuImg({"info", "-U", "--output=json", "-f", "qcow2", Path(id)}, &out));
  json j = json::parse(out, nullptr, false);
  if (j.is_discarded()) return Internal("qemu-img info printed no JSON for " + id);
  BlobInfo b;
  b.id = id;
  b.virtual_size = j.value("virtual-size", int64_t{0});
  b.actual_size = j.value("actual-size", int64_t{0});
  b.format = j.value("format", "");
  if (j.contains("backing-filename")) b.backing_id = BlobIdOfFile(j["backing-filename"]);
  return b;
}

Status Qcow2StorageDriver::Check(const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateBlobId(id));
  STRATO_ASSIGN_OR_RETURN(
      auto r, RunCommand({options_.qemu_img, "check", "-U", "-q", "-f", "qcow2", Path(id)},
                         options_.timeout));
  // 0: clean; 3: leaked clusters only (harmless, e.g. after a crash mid-allocation).
  if (r.exit_code == 0 || r.exit_code == 3) return OkStatus();
  return Internal("qemu-img check found " + id + " inconsistent: " + r.out + r.err);
}

Status Qcow2StorageDriver::Delete(const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateBlobId(id));
  std::error_code ec;
  fs::remove(TempPath(id), ec);
  fs::remove(Path(id), ec);
  if (ec) return Internal("cannot remove blob " + id + ": " + ec.message());
  return FsyncPath(options_.root, true);
}

std::vector<std::string> Qcow2StorageDriver::List() {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(options_.root, ec)) {
    std::string name = e.path().filename().string();
    if (name.starts_with(kTempPrefix) || !name.ends_with(kSuffix)) continue;
    ids.push_back(BlobIdOfFile(name));
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<std::string> Qcow2StorageDriver::Reconcile(const std::set<std::string>& known) {
  std::vector<std::string> removed;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(options_.root, ec)) {
    std::string name = e.path().filename().string();
    bool stray = name.starts_with(kTempPrefix) ||
                 (name.ends_with(kSuffix) && !known.count(BlobIdOfFile(name)));
    if (!stray) continue;
    std::error_code rm;
    fs::remove(e.path(), rm);
    if (!rm) {
      spdlog::info("storage: removed stray file {}", name);
      removed.push_back(name);
    }
  }
  return removed;
}

}  // namespace strato
