#include "agent/storage_import.h"

#include <spdlog/spdlog.h>

#include <filesystem>

#include "drivers/image_import/image_import.h"

namespace strato {

namespace fs = std::filesystem;

Status ImportBlob(StorageDriver& driver, const StorageOp& op, StorageReport& report) {
  std::error_code ec;
  const bool have_blob = driver.Inspect(op.blob_id).ok();
  if (!have_blob) {
    if (op.source_path.empty() || !fs::exists(op.source_path, ec)) {
      return NotFound("InvalidBlob.NotFound",
                      "the received image is gone (interrupted before conversion); upload it again");
    }
    Status s = driver.Import(op.blob_id, op.source_path);
    if (!s.ok()) {
      fs::remove(op.source_path, ec);
      return s;
    }
  }
  if (!op.source_path.empty()) fs::remove(op.source_path, ec);
  const std::string path = driver.Path(op.blob_id);
  STRATO_ASSIGN_OR_RETURN(report.sha256, FileSha256(path));
  report.size_bytes = static_cast<int64_t>(fs::file_size(path, ec));
  return OkStatus();
}

void RemoveStraySpools(const std::string& spool_dir, const std::set<std::string>& known) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(spool_dir, ec)) {
    if (known.count(e.path().stem().string())) continue;
    std::error_code rm;
    fs::remove(e.path(), rm);
    if (!rm) spdlog::info("storage: removed stray upload {}", e.path().filename().string());
  }
}

}  // namespace strato
