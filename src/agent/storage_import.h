#pragma once
// The storage agent's "import" op: a received image (raw or qcow2, already identified by
// drivers/image_import's SpoolImage) becomes a new base blob. Idempotent: a repeat after
// the blob exists reports success with the blob's figures, so a restart mid-way is safe.
// The source file is removed once the blob is in place (or found unusable).
// Thread-safety: runs on the storage agent's executor.

#include <set>
#include <string>

#include "agent/storage_messages.h"
#include "drivers/storage/storage_driver.h"

namespace strato {

// Fills `report.size_bytes` (stored bytes) and `report.sha256` on success.
Status ImportBlob(StorageDriver& driver, const StorageOp& op, StorageReport& report);

// Removes files in `spool_dir` ("<blob-id>.upload") whose blob the control plane does not
// know: uploads interrupted before they were recorded.
void RemoveStraySpools(const std::string& spool_dir, const std::set<std::string>& known);

}  // namespace strato
