// VolumeCommands: the snapshot half.
#include "commands/image_commands.h"
#include "commands/page_token.h"
#include "commands/validation.h"
#include "commands/volume_commands.h"
#include "common/ids.h"

namespace strato {
namespace {

Status IncorrectState(std::string message) { return Conflict("IncorrectState", std::move(message)); }

Status ValidateSnapshotId(const std::string& id) {
  return ValidateId("snapshot_id", id, "snap", "InvalidSnapshot.NotFound");
}

}  // namespace

Result<Snapshot> SnapshotVolumeInTxn(WriteTxn& t, const std::string& tenant_id,
                                     const std::string& volume_id, const std::string& description,
                                     int64_t now) {
  Snapshot n;
  n.id = NewResourceId("snap");
  n.tenant_id = tenant_id;
  n.volume_id = volume_id;
  n.description = description;
  n.state = SnapshotState::kPending;
  n.created_at = n.updated_at = now;
  STRATO_ASSIGN_OR_RETURN(auto v, t.GetVolume(Scope::Tenant(tenant_id), volume_id));
  if (v.state != VolumeState::kAvailable && v.state != VolumeState::kInUse) {
    return IncorrectState("The volume '" + v.id + "' is " + ToString(v.state) +
                          " and cannot be snapshotted.");
  }
  STRATO_ASSIGN_OR_RETURN(auto blob, t.GetBlob(v.blob_id));
  if (blob.state != BlobState::kReady) {
    return IncorrectState("The volume '" + v.id + "' has a snapshot in progress.");
  }
  // Freeze the volume's current layer for the snapshot; the volume goes on writing to a
  // new, empty overlay on top of it. No data is copied.
  Blob overlay{.id = NewResourceId("blob"), .backing_id = v.blob_id,
               .size_bytes = v.applied_size_gib * kGiB, .created_at = now};
  n.volume_size_gib = v.applied_size_gib;
  n.blob_id = v.blob_id;
  n.pending_blob_id = overlay.id;
  v.blob_id = overlay.id;
  v.updated_at = now;
  STRATO_RETURN_IF_ERROR(t.InsertBlob(overlay));
  STRATO_RETURN_IF_ERROR(t.UpdateVolume(v));
  return n;
}

Result<Snapshot> VolumeCommands::CreateSnapshot(const Principal& p, const CreateSnapshotInput& in) {
  if (in.volume_id.empty()) return MissingParameter("'volume_id' is required.");
  STRATO_RETURN_IF_ERROR(ValidateId("volume_id", in.volume_id, "vol", "InvalidVolume.NotFound"));
  if (in.description.size() > 255) {
    return InvalidParameter("'description' is longer than 255 characters.");
  }
  STRATO_RETURN_IF_ERROR(ValidateTags("tags", in.tags));
  const int64_t now = env_.now_ms();
  Snapshot n;
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(n, SnapshotVolumeInTxn(t, p.tenant_id, in.volume_id, in.description,
                                                   now));
    n.tags = in.tags;
    return t.InsertSnapshot(n);
  }));
  env_.kick_volumes();
  return n;
}

Result<ListPage<Snapshot>> VolumeCommands::ListSnapshots(const Principal& p,
                                                         const SnapshotFilter& filter,
                                                         const ListInput& in) {
  if (in.page_size < 1 || in.page_size > 1000) {
    return InvalidParameter("'page_size' must be between 1 and 1000.");
  }
  Page page{.limit = in.page_size + 1};
  if (!in.next_token.empty()) {
    STRATO_ASSIGN_OR_RETURN(page.after_id, DecodePageToken(in.next_token, "snap"));
  }
  ListPage<Snapshot> out;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(out.items, t.ListSnapshots(Scope::Tenant(p.tenant_id), filter, page));
    return OkStatus();
  }));
  if (out.items.size() > static_cast<size_t>(in.page_size)) {
    out.items.pop_back();
    out.next_token = EncodePageToken(out.items.back().id);
  }
  return out;
}

Result<Snapshot> VolumeCommands::GetSnapshot(const Principal& p, const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateSnapshotId(id));
  Result<Snapshot> out = Internal("unset");
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    out = t.GetSnapshot(Scope::Tenant(p.tenant_id), id);
    return OkStatus();
  }));
  return out;
}

Result<Snapshot> VolumeCommands::DeleteSnapshot(const Principal& p, const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateSnapshotId(id));
  Snapshot out;
  bool changed = false;
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(out, t.GetSnapshot(Scope::Tenant(p.tenant_id), id));
    if (out.state == SnapshotState::kDeleting) return OkStatus();
    if (out.state == SnapshotState::kPending) {
      return IncorrectState("The snapshot '" + id + "' is still pending.");
    }
    STRATO_ASSIGN_OR_RETURN(auto image, ImageMadeFromSnapshot(t, id));
    if (image) {
      return BadRequest("InvalidSnapshot.InUse", "The snapshot '" + id +
                                                     "' is in use by image '" + *image +
                                                     "'; deregister the image first.");
    }
    out.state = SnapshotState::kDeleting;
    out.updated_at = env_.now_ms();
    changed = true;
    return t.UpdateSnapshot(out);
  }));
  if (changed) env_.kick_volumes();
  return out;
}

}  // namespace strato
