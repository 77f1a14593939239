#pragma once
// Volume and snapshot commands: EBS rules over desired state. Storage work (creating
// blobs, growing, deleting) is done by the volume controller through the storage agent.
//
// Volumes: create → creating → available; attach: available → in-use (attachment
// attaching → attached); detach: attached → detaching → available; delete: available or
// error → deleting → gone. Modify grows the size and/or changes type/iops/throughput of an
// available or in-use volume, and records the change as the volume's latest modification
// (core/volume_modification.h): modifying until the controller has grown the blob, then
// completed (or failed); a change without growth is completed at once.
// Snapshots: create on an available or in-use volume → pending → completed (O(1): the
// volume's current blob is frozen and the volume continues on a new overlay). Delete a
// completed or failed snapshot; data still needed by volumes made from it stays.
// Errors: InvalidParameterValue, MissingParameter, InvalidVolume.NotFound,
// InvalidVolumeModification.NotFound,
// InvalidSnapshot.NotFound, InvalidInstanceID.NotFound, VolumeInUse, IncorrectState,
// IncorrectInstanceState, InvalidVolume.ZoneMismatch, InvalidParameterValue (device in use).
// Thread-safety: stateless; safe from any thread.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "commands/command_env.h"

namespace strato {

// What a new volume is made of: a size and/or a snapshot, a type and its performance.
struct VolumeSpec {
  std::optional<int64_t> size_gib;         // default (and minimum): the snapshot's size
  std::optional<std::string> volume_type;  // default gp2
  std::optional<int64_t> iops;
  std::optional<int64_t> throughput_mibps;
  std::optional<std::string> snapshot_id;
};

struct CreateVolumeInput : VolumeSpec {
  std::optional<std::string> zone;
  std::map<std::string, std::string> tags;
};

struct ModifyVolumeInput {
  std::optional<int64_t> size_gib;
  std::optional<std::string> volume_type;
  std::optional<int64_t> iops;
  std::optional<int64_t> throughput_mibps;
};

// One attachment's new DeleteOnTermination (EC2 ModifyInstanceAttribute BlockDeviceMapping.N).
struct DeleteOnTerminationChange {
  std::string device;  // a data device, or the root (/dev/vda or its aliases)
  bool delete_on_termination = false;
  std::optional<std::string> volume_id;  // when given, must be the volume at `device`
};

// What ModifyVolume answers: the volume as changed and the record of the change (its
// latest modification, which DescribeVolumesModifications shows until the next one).
struct ModifyVolumeResult {
  Volume volume;
  VolumeModification modification;
};

struct AttachVolumeInput {
  std::string instance_id;
  std::string device;
};

struct CreateSnapshotInput {
  std::string volume_id;
  std::string description;
  std::map<std::string, std::string> tags;
};

template <typename T>
struct ListPage {
  std::vector<T> items;
  std::string next_token;  // empty on the last page
};

struct ListInput {
  int page_size = 100;
  std::string next_token;
};

class VolumeCommands {
 public:
  explicit VolumeCommands(CommandEnv& env) : env_(env) {}

  Result<Volume> Create(const Principal& p, const CreateVolumeInput& in);
  Result<ListPage<Volume>> List(const Principal& p, const VolumeFilter& filter,
                                const ListInput& in);
  Result<Volume> Get(const Principal& p, const std::string& id);
  Result<Volume> Delete(const Principal& p, const std::string& id);
  Result<ModifyVolumeResult> Modify(const Principal& p, const std::string& id,
                                    const ModifyVolumeInput& in);
  // The latest modification of each of the caller's volumes: of `volume_ids` when given (each
  // must be the caller's volume, InvalidVolume.NotFound, and have been modified,
  // InvalidVolumeModification.NotFound; one page), else a page of all of them by volume id.
  Result<ListPage<VolumeModification>> ListModifications(const Principal& p,
                                                         const std::vector<std::string>& volume_ids,
                                                         const ListInput& in);
  Result<Volume> Attach(const Principal& p, const std::string& id, const AttachVolumeInput& in);
  Result<Volume> Detach(const Principal& p, const std::string& id, bool force);
  // Sets the DeleteOnTermination of the volumes attached to the caller's instance at the given
  // devices, all or nothing; returns them. Errors: MissingParameter (no change),
  // InvalidInstanceID.NotFound, IncorrectInstanceState (terminated or shutting down),
  // InvalidParameterValue (no volume attached at a device, another volume there than the one
  // named, a device given twice),
  // InvalidParameterCombination (false for an instance-store root, which always goes).
  Result<std::vector<Volume>> SetDeleteOnTermination(
      const Principal& p, const std::string& instance_id,
      const std::vector<DeleteOnTerminationChange>& changes);

  Result<Snapshot> CreateSnapshot(const Principal& p, const CreateSnapshotInput& in);
  Result<ListPage<Snapshot>> ListSnapshots(const Principal& p, const SnapshotFilter& filter,
                                           const ListInput& in);
  Result<Snapshot> GetSnapshot(const Principal& p, const std::string& id);
  Result<Snapshot> DeleteSnapshot(const Principal& p, const std::string& id);

 private:
  CommandEnv& env_;
};

// Freezes the volume's current blob as a new pending snapshot (not yet inserted: the caller
// sets its tags and inserts it) and moves the volume onto a new overlay, inside `t`.
// Errors: InvalidVolume.NotFound, IncorrectState.
Result<Snapshot> SnapshotVolumeInTxn(WriteTxn& t, const std::string& tenant_id,
                                     const std::string& volume_id, const std::string& description,
                                     int64_t now);

// "/dev/sd[f-p]", "/dev/xvd[f-p]" or "/dev/vd[b-z]", as EC2 accepts for data volumes.
bool IsValidDeviceName(std::string_view device);

// What can be checked of `spec` without the store: the snapshot id's form, a size or a
// snapshot given (`missing_code` otherwise, naming `what`), the type's rules when sized.
// Errors: InvalidSnapshot.Malformed, `missing_code`, InvalidParameterValue.
Status ValidateVolumeSpec(const VolumeSpec& spec, std::string_view missing_code,
                          std::string_view what);

// A new volume of `spec` (creating) in `zone` for `tenant_id`, with its blob, inside `t`:
// from a snapshot, the tenant's snapshot must be completed and the size at least its size.
// The blob is inserted; the volume is returned for the caller to finish (tags, attachment)
// and insert. Errors: InvalidSnapshot.NotFound, IncorrectState, InvalidParameterValue.
Result<Volume> PrepareVolumeInTxn(WriteTxn& t, const std::string& tenant_id, const VolumeSpec& spec,
                                  const std::string& zone, int64_t now);

}  // namespace strato
