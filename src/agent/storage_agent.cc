#include "agent/storage_agent.h"

#include <spdlog/spdlog.h>

#include "agent/storage_import.h"
#include "agent/storage_messages.h"

namespace strato {

StorageAgent::StorageAgent(std::unique_ptr<StorageDriver> driver, SerialExecutor& executor,
                           ReportFn report)
    : driver_(std::move(driver)), executor_(executor), report_(std::move(report)) {}

void StorageAgent::Deliver(std::string message_json) {
  executor_.Post([this, m = std::move(message_json)] { Handle(m); });
}

void StorageAgent::Handle(const std::string& message_json) {
  auto op = DecodeStorageOp(message_json);
  if (!op.ok()) {
    spdlog::error("storage agent: message dropped: {}", op.status().message());
    return;
  }
  StorageReport r{op->type, op->blob_id, false, "", op->size_bytes};
  Status s;
  if (op->type == "create") {
    s = driver_->Create(op->blob_id, op->size_bytes, op->backing_id);
  } else if (op->type == "grow") {
    s = driver_->Grow(op->blob_id, op->size_bytes);
  } else if (op->type == "delete") {
    s = driver_->Delete(op->blob_id);
  } else if (op->type == "import") {
    s = ImportBlob(*driver_, *op, r);
  } else {
    driver_->Reconcile(op->known);
    if (!op->source_path.empty()) RemoveStraySpools(op->source_path, op->known);
  }
  if (!s.ok()) spdlog::warn("storage agent: {} {} failed: {}", op->type, op->blob_id, s.message());
  r.ok = s.ok();
  r.error = s.ok() ? "" : s.message();
  report_(EncodeStorageReport(r));
}

}  // namespace strato
