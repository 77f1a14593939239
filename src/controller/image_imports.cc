// VolumeController: settling image imports (the storage agent's "import" reports).
#include "controller/volume_controller.h"

namespace strato {

namespace {
constexpr int kBatch = 1000;
}  // namespace

Status VolumeController::ApplyImportReport(WriteTxn& t, const StorageReport& r, Blob& blob) {
  blob.state = r.ok ? BlobState::kReady : BlobState::kError;
  blob.state_reason = r.error;
  STRATO_RETURN_IF_ERROR(t.UpdateBlob(blob));
  STRATO_ASSIGN_OR_RETURN(auto pending, t.ListImageData(ImageDataState::kPending, kBatch));
  for (auto& d : pending) {
    if (d.blob_id != r.blob_id) continue;
    d.spool_path.clear();
    if (r.ok) {
      d.state = ImageDataState::kAvailable;
      d.sha256 = r.sha256;
      d.stored_bytes = r.size_bytes;
    } else {
      // The image keeps no blob: the failed one is collected like any unreferenced blob.
      d.state = ImageDataState::kFailed;
      d.state_reason = "Server.InternalError: " + r.error;
      d.blob_id.clear();
    }
    STRATO_RETURN_IF_ERROR(t.PutImageData(d));
  }
  return OkStatus();
}

}  // namespace strato
