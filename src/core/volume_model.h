#pragma once
// The block-storage resource model: volumes, snapshots and the blobs that hold their data
// (see drivers/storage/storage_driver.h for what a blob is). Plain records as the store
// keeps them; rules live in commands/volume_commands.h.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/model.h"

namespace strato {

inline constexpr int64_t kGiB = int64_t{1} << 30;

enum class VolumeState { kCreating, kAvailable, kInUse, kDeleting, kError };
// AttachState (core/model.h): kDetached is "no attachment": the volume's instance_id is empty.

// The disks one guest takes, root included (a q35 guest's hot-plug ports).
inline constexpr int kMaxVolumesPerInstance = 8;
// The device of an instance's root volume: the guest's first disk.
inline constexpr std::string_view kRootDeviceName = "/dev/vda";
// The order of an instance's disks (the order they are plugged in): the root device first,
// then by device name.
bool DeviceOrderLess(std::string_view a, std::string_view b);

struct Volume {
  std::string id;  // "vol-…"
  std::string tenant_id;
  std::string zone;
  std::string volume_type;      // gp2 | gp3 | io1 | st1 | sc1 | standard
  int64_t size_gib = 0;         // desired size
  int64_t iops = 0;             // provisioned (gp3/io1); 0 = type default
  int64_t throughput_mibps = 0; // provisioned (gp3); 0 = type default
  std::string snapshot_id;      // what it was created from, or ""
  VolumeState state = VolumeState::kCreating;
  std::string state_reason;
  std::string blob_id;          // the active (writable) blob
  int64_t applied_size_gib = 0; // the size the blob has been grown to
  std::string instance_id;      // attachment, or ""
  std::string device;           // e.g. "/dev/sdf"
  AttachState attach_state = AttachState::kDetached;
  bool force_detach = false;
  TimeMs attached_at = 0;
  // The attachment's DeleteOnTermination: the volume is deleted when its instance
  // terminates. Set at launch (root and launch-time data volumes, default true); false for
  // AttachVolume and whenever detached.
  bool delete_on_termination = false;
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
  std::map<std::string, std::string> tags;
  // Derived (root_volumes), read-only: the volume is an instance-store root device, part of
  // its instance rather than a volume of its own.
  bool instance_store_root = false;
};

enum class SnapshotState { kPending, kCompleted, kError, kDeleting };

struct Snapshot {
  std::string id;  // "snap-…"
  std::string tenant_id;
  std::string volume_id;
  int64_t volume_size_gib = 0;
  std::string description;
  SnapshotState state = SnapshotState::kPending;
  std::string state_reason;
  int progress = 0;              // percent
  std::string blob_id;           // the frozen blob holding the point-in-time data
  std::string pending_blob_id;   // the volume's new overlay; its creation completes this
  TimeMs created_at = 0;
  TimeMs updated_at = 0;
  std::map<std::string, std::string> tags;
};

// The latest ModifyVolume of a volume (EC2 keeps one per volume): what it was and what it
// is becoming. Growing the file happens in the background (modifying until the blob has the
// new size); a type or performance change takes effect at once (completed). A failed grow
// leaves the volume at its original size (failed). Deleted with its volume.
enum class ModificationState { kModifying, kOptimizing, kCompleted, kFailed };

struct VolumeModification {
  std::string volume_id;
  std::string tenant_id;  // the volume's
  ModificationState state = ModificationState::kModifying;
  std::string status_message;  // why it failed, or ""
  int64_t original_size_gib = 0;
  std::string original_volume_type;
  int64_t original_iops = 0;  // delivered figures (the type's defaults when not provisioned)
  int64_t original_throughput_mibps = 0;
  int64_t target_size_gib = 0;
  std::string target_volume_type;
  int64_t target_iops = 0;
  int64_t target_throughput_mibps = 0;
  int progress = 0;  // percent
  TimeMs start_time = 0;
  TimeMs end_time = 0;  // 0 until completed or failed
};

enum class BlobState { kCreating, kReady, kDeleting, kError };

// One copy-on-write layer. Referenced by volumes (blob_id), snapshots (blob_id) and other
// blobs (backing_id); deleted when nothing references it.
struct Blob {
  std::string id;  // "blob-…"
  std::string backing_id;
  int64_t size_bytes = 0;
  BlobState state = BlobState::kCreating;
  std::string state_reason;
  TimeMs created_at = 0;
};

const char* ToString(VolumeState s);
const char* ToString(AttachState s);
const char* ToString(SnapshotState s);
const char* ToString(BlobState s);
const char* ToString(ModificationState s);
std::optional<VolumeState> ParseVolumeState(std::string_view s);
std::optional<AttachState> ParseAttachState(std::string_view s);
std::optional<SnapshotState> ParseSnapshotState(std::string_view s);
std::optional<BlobState> ParseBlobState(std::string_view s);
std::optional<ModificationState> ParseModificationState(std::string_view s);

}  // namespace strato
