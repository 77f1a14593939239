#pragma once
// Qcow2StorageDriver: blobs as qcow2 files in one directory, <root>/<blob-id>.qcow2, made
// and inspected with the real qemu-img. Overlays name their backing file relatively (same
// directory), so the data directory can move.
//
// Blob ids must look like "blob-<17 hex>" (InvalidParameterValue otherwise), which keeps
// every path inside the root. New files are written as <root>/.tmp-<id>.qcow2, fsync'd and
// renamed into place; Reconcile() removes leftovers of an interrupted operation.
// Imports refuse images that name a backing file of their own (it could point anywhere).
// Thread-safety: calls for different blobs may run concurrently; the agent serializes.

#include <chrono>
#include <string>

#include "drivers/storage/storage_driver.h"

namespace strato {

struct Qcow2StorageOptions {
  std::string root;  // <data-dir>/storage
  std::string qemu_img = "qemu-img";
  std::chrono::milliseconds timeout{std::chrono::minutes(30)};  // per qemu-img run
};

class Qcow2StorageDriver final : public StorageDriver {
 public:
  explicit Qcow2StorageDriver(Qcow2StorageOptions options);

  Status Create(const std::string& id, int64_t size_bytes, const std::string& backing_id) override;
  Status Import(const std::string& id, const std::string& source_path) override;
  Status Grow(const std::string& id, int64_t size_bytes) override;
  Result<BlobInfo> Inspect(const std::string& id) override;
  Status Check(const std::string& id) override;
  Status Delete(const std::string& id) override;
  std::vector<std::string> List() override;
  std::vector<std::string> Reconcile(const std::set<std::string>& known) override;
  std::string Path(const std::string& id) const override;

 private:
  std::string TempPath(const std::string& id) const;
  Status RunQemuImg(std::vector<std::string> args, std::string* out = nullptr);
  // fsyncs the temp file, renames it into place and fsyncs the directory.
  Status Publish(const std::string& id);

  const Qcow2StorageOptions options_;
};

}  // namespace strato
