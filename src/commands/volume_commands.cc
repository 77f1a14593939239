#include "commands/volume_commands.h"

#include <algorithm>
#include <regex>

#include "commands/block_devices.h"
#include "commands/page_token.h"
#include "commands/validation.h"
#include "common/ids.h"
#include "core/volume_modification.h"
#include "core/volume_types.h"

namespace strato {
namespace {

constexpr const char* kDefaultVolumeType = "gp2";

Status IncorrectState(std::string message) {
  return Conflict("IncorrectState", std::move(message));
}

Status ValidateVolumeId(const std::string& id) {
  return ValidateId("volume_id", id, "vol", "InvalidVolume.NotFound");
}

// Reads a volume inside a write, applies `change`, stores it; returns the result.
template <typename F>
Result<Volume> ChangeVolume(CommandEnv& env, const Principal& p, const std::string& id, F change) {
  STRATO_RETURN_IF_ERROR(ValidateVolumeId(id));
  Volume out;
  bool changed = false;
  STRATO_RETURN_IF_ERROR(env.store->Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(out, t.GetVolume(Scope::Tenant(p.tenant_id), id));
    STRATO_ASSIGN_OR_RETURN(changed, change(t, out));
    if (!changed) return OkStatus();
    out.updated_at = env.now_ms();
    return t.UpdateVolume(out);
  }));
  if (changed) env.kick_volumes();
  return out;
}

}  // namespace

bool IsValidDeviceName(std::string_view device) {
  static const std::regex kDevice("/dev/(sd[f-p]|xvd[f-p]|vd[b-z])");
  return std::regex_match(device.begin(), device.end(), kDevice);
}

Status ValidateVolumeSpec(const VolumeSpec& spec, std::string_view missing_code,
                          std::string_view what) {
  if (spec.snapshot_id) {
    STRATO_RETURN_IF_ERROR(
        ValidateId("snapshot_id", *spec.snapshot_id, "snap", "InvalidSnapshot.NotFound"));
  } else if (!spec.size_gib) {
    return BadRequest(std::string(missing_code),
                      "A size or a snapshot is required for " + std::string(what) + ".");
  }
  if (!spec.size_gib) return OkStatus();
  // From a snapshot the size is checked again once the snapshot's is known.
  return ComputeVolumeLimits(spec.volume_type.value_or(kDefaultVolumeType), *spec.size_gib,
                             spec.iops, spec.throughput_mibps)
      .status();
}

Result<Volume> PrepareVolumeInTxn(WriteTxn& t, const std::string& tenant_id, const VolumeSpec& spec,
                                  const std::string& zone, int64_t now) {
  Volume v;
  v.id = NewResourceId("vol");
  v.tenant_id = tenant_id;
  v.zone = zone;
  v.volume_type = spec.volume_type.value_or(kDefaultVolumeType);
  v.iops = spec.iops.value_or(0);
  v.throughput_mibps = spec.throughput_mibps.value_or(0);
  v.state = VolumeState::kCreating;
  v.created_at = v.updated_at = now;
  v.size_gib = spec.size_gib.value_or(0);
  Blob blob{.id = NewResourceId("blob"), .created_at = now};
  if (spec.snapshot_id) {
    STRATO_ASSIGN_OR_RETURN(auto snap, t.GetSnapshot(Scope::Tenant(tenant_id), *spec.snapshot_id));
    if (snap.state != SnapshotState::kCompleted) {
      return IncorrectState("The snapshot '" + snap.id + "' is " + ToString(snap.state) +
                            ", not completed.");
    }
    if (!spec.size_gib) v.size_gib = snap.volume_size_gib;
    if (v.size_gib < snap.volume_size_gib) {
      return InvalidParameter("'size': a volume from snapshot " + snap.id + " needs at least " +
                              std::to_string(snap.volume_size_gib) + " GiB.");
    }
    STRATO_RETURN_IF_ERROR(
        ComputeVolumeLimits(v.volume_type, v.size_gib, spec.iops, spec.throughput_mibps).status());
    v.snapshot_id = snap.id;
    blob.backing_id = snap.blob_id;
  }
  v.applied_size_gib = v.size_gib;
  v.blob_id = blob.id;
  blob.size_bytes = v.size_gib * kGiB;
  STRATO_RETURN_IF_ERROR(t.InsertBlob(blob));
  return v;
}

Result<Volume> VolumeCommands::Create(const Principal& p, const CreateVolumeInput& in) {
  STRATO_RETURN_IF_ERROR(ValidateTags("tags", in.tags));
  STRATO_RETURN_IF_ERROR(ValidateVolumeSpec(in, "MissingParameter", "a new volume"));
  const std::string zone = in.zone.value_or(env_.zones.front());
  if (std::find(env_.zones.begin(), env_.zones.end(), zone) == env_.zones.end()) {
    return InvalidParameter("'zone': '" + zone + "' is not an availability zone of region " +
                            env_.region + ".");
  }
  Volume v;
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(v, PrepareVolumeInTxn(t, p.tenant_id, in, zone, env_.now_ms()));
    v.tags = in.tags;
    return t.InsertVolume(v);
  }));
  env_.kick_volumes();
  return v;
}

Result<ListPage<Volume>> VolumeCommands::List(const Principal& p, const VolumeFilter& filter,
                                              const ListInput& in) {
  if (in.page_size < 1 || in.page_size > 1000) {
    return InvalidParameter("'page_size' must be between 1 and 1000.");
  }
  Page page{.limit = in.page_size + 1};
  if (!in.next_token.empty()) {
    STRATO_ASSIGN_OR_RETURN(page.after_id, DecodePageToken(in.next_token, "vol"));
  }
  ListPage<Volume> out;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(out.items, t.ListVolumes(Scope::Tenant(p.tenant_id), filter, page));
    return OkStatus();
  }));
  if (out.items.size() > static_cast<size_t>(in.page_size)) {
    out.items.pop_back();
    out.next_token = EncodePageToken(out.items.back().id);
  }
  return out;
}

Result<Volume> VolumeCommands::Get(const Principal& p, const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateVolumeId(id));
  Result<Volume> out = Internal("unset");
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    out = t.GetVolume(Scope::Tenant(p.tenant_id), id);
    return OkStatus();
  }));
  return out;
}

Result<Volume> VolumeCommands::Delete(const Principal& p, const std::string& id) {
  return ChangeVolume(env_, p, id, [&](WriteTxn& t, Volume& v) -> Result<bool> {
    if (v.state == VolumeState::kDeleting) return false;
    if (!v.instance_id.empty() || v.state == VolumeState::kInUse) {
      return Status(409, "VolumeInUse",
                    "The volume '" + v.id + "' is attached to " + v.instance_id + ".");
    }
    if (v.state != VolumeState::kAvailable && v.state != VolumeState::kError) {
      return IncorrectState("The volume '" + v.id + "' is " + ToString(v.state) +
                            " and cannot be deleted yet.");
    }
    STRATO_ASSIGN_OR_RETURN(
        auto pending,
        t.ListSnapshots(Scope::System(), {.volume_id = v.id, .state = SnapshotState::kPending},
                        {.limit = 1}));
    if (!pending.empty()) {
      return IncorrectState("The volume '" + v.id + "' has a snapshot in progress (" +
                            pending.front().id + ").");
    }
    v.state = VolumeState::kDeleting;
    return true;
  });
}

Result<ModifyVolumeResult> VolumeCommands::Modify(const Principal& p, const std::string& id,
                                                  const ModifyVolumeInput& in) {
  if (!in.size_gib && !in.volume_type && !in.iops && !in.throughput_mibps) {
    return MissingParameter("give at least one of 'size', 'volume_type', 'iops', 'throughput'.");
  }
  ModifyVolumeResult out;
  STRATO_ASSIGN_OR_RETURN(
      out.volume, ChangeVolume(env_, p, id, [&](WriteTxn& t, Volume& v) -> Result<bool> {
        if (v.state != VolumeState::kAvailable && v.state != VolumeState::kInUse) {
          return IncorrectState("The volume '" + v.id + "' is " + ToString(v.state) +
                                " and cannot be modified.");
        }
        // One change at a time, as EBS: the next may start once the disk has grown.
        if (v.applied_size_gib < v.size_gib) {
          return BadRequest("IncorrectModificationState",
                            "The volume '" + v.id + "' is still being modified (growing to " +
                                std::to_string(v.size_gib) +
                                " GiB); try again once that modification has completed.");
        }
        const int64_t size = in.size_gib.value_or(v.size_gib);
        if (size < v.size_gib) {
          return InvalidParameter("'size': a volume can only grow (it has " +
                                  std::to_string(v.size_gib) + " GiB).");
        }
        const std::string type = in.volume_type.value_or(v.volume_type);
        // A type change drops settings the new type does not take, unless given again.
        const bool same_type = type == v.volume_type;
        std::optional<int64_t> iops = in.iops, tput = in.throughput_mibps;
        if (!iops && same_type && v.iops) iops = v.iops;
        if (!tput && same_type && v.throughput_mibps) tput = v.throughput_mibps;
        STRATO_RETURN_IF_ERROR(ComputeVolumeLimits(type, size, iops, tput).status());
        const Volume before = v;
        v.size_gib = size;
        v.volume_type = type;
        v.iops = iops.value_or(0);
        v.throughput_mibps = tput.value_or(0);
        out.modification = RecordModification(before, v, env_.now_ms());
        STRATO_RETURN_IF_ERROR(t.PutVolumeModification(out.modification));
        return true;
      }));
  return out;
}

Result<ListPage<VolumeModification>> VolumeCommands::ListModifications(
    const Principal& p, const std::vector<std::string>& volume_ids, const ListInput& in) {
  if (in.page_size < 1 || in.page_size > 1000) {
    return InvalidParameter("'page_size' must be between 1 and 1000.");
  }
  for (const auto& id : volume_ids) STRATO_RETURN_IF_ERROR(ValidateVolumeId(id));
  const Scope scope = Scope::Tenant(p.tenant_id);
  ListPage<VolumeModification> out;
  if (!volume_ids.empty()) {
    STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) -> Status {
      for (const auto& id : volume_ids) STRATO_RETURN_IF_ERROR(t.GetVolume(scope, id).status());
      STRATO_ASSIGN_OR_RETURN(
          out.items, t.ListVolumeModifications(scope, volume_ids,
                                               {.limit = static_cast<int>(volume_ids.size())}));
      return OkStatus();
    }));
    for (const auto& id : volume_ids) {
      if (std::none_of(out.items.begin(), out.items.end(),
                       [&](const VolumeModification& m) { return m.volume_id == id; })) {
        return NotFound("InvalidVolumeModification.NotFound",
                        "Modification for volume '" + id + "' does not exist.");
      }
    }
    return out;
  }
  Page page{.limit = in.page_size + 1};
  if (!in.next_token.empty()) {
    STRATO_ASSIGN_OR_RETURN(page.after_id, DecodePageToken(in.next_token, "vol"));
  }
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(out.items, t.ListVolumeModifications(scope, {}, page));
    return OkStatus();
  }));
  if (out.items.size() > static_cast<size_t>(in.page_size)) {
    out.items.pop_back();
    out.next_token = EncodePageToken(out.items.back().volume_id);
  }
  return out;
}

Result<Volume> VolumeCommands::Attach(const Principal& p, const std::string& id,
                                      const AttachVolumeInput& in) {
  if (in.instance_id.empty()) return MissingParameter("'instance_id' is required.");
  STRATO_RETURN_IF_ERROR(
      ValidateId("instance_id", in.instance_id, "i", "InvalidInstanceID.NotFound"));
  if (in.device.empty()) return MissingParameter("'device' is required.");
  if (!IsValidDeviceName(in.device)) {
    return InvalidParameter("'device': '" + in.device +
                            "' is not a data-volume device name (/dev/sd[f-p], /dev/xvd[f-p], "
                            "/dev/vd[b-z]).");
  }
  return ChangeVolume(env_, p, id, [&](WriteTxn& t, Volume& v) -> Result<bool> {
    if (v.state == VolumeState::kInUse || !v.instance_id.empty()) {
      return Status(409, "VolumeInUse",
                    "The volume '" + v.id + "' is already attached to " + v.instance_id + ".");
    }
    if (v.state != VolumeState::kAvailable) {
      return IncorrectState("The volume '" + v.id + "' is " + ToString(v.state) +
                            ", not available.");
    }
    STRATO_ASSIGN_OR_RETURN(auto inst, t.GetInstance(Scope::Tenant(p.tenant_id), in.instance_id));
    if (inst.state == InstanceState::kTerminated || inst.state == InstanceState::kShuttingDown) {
      return IncorrectInstanceState("The instance '" + inst.id + "' is " + ToString(inst.state) +
                                    ".");
    }
    if (inst.zone != v.zone) {
      return BadRequest("InvalidVolume.ZoneMismatch",
                        "The volume '" + v.id + "' is in zone " + v.zone + " but the instance '" +
                            inst.id + "' is in " + (inst.zone.empty() ? "no zone yet" : inst.zone) +
                            ".");
    }
    STRATO_ASSIGN_OR_RETURN(
        auto attached, t.ListVolumes(Scope::System(), {.instance_id = inst.id}, {.limit = 64}));
    for (const auto& other : attached) {
      if (other.device == in.device) {
        return InvalidParameter("'device': " + in.device + " of instance " + inst.id +
                                " is already used by " + other.id + ".");
      }
    }
    v.instance_id = inst.id;
    v.device = in.device;
    v.delete_on_termination = false;  // EC2's default for an attached volume
    v.attach_state = AttachState::kAttaching;
    v.state = VolumeState::kInUse;
    v.state_reason.clear();
    return true;
  });
}

Result<Volume> VolumeCommands::Detach(const Principal& p, const std::string& id, bool force) {
  return ChangeVolume(env_, p, id, [&](WriteTxn&, Volume& v) -> Result<bool> {
    if (v.instance_id.empty()) {
      return IncorrectState("The volume '" + v.id + "' is not attached.");
    }
    if (v.attach_state == AttachState::kDetaching) {
      if (force && !v.force_detach) {
        v.force_detach = true;
        return true;
      }
      return false;
    }
    v.attach_state = AttachState::kDetaching;
    v.force_detach = force;
    return true;
  });
}

Result<std::vector<Volume>> VolumeCommands::SetDeleteOnTermination(
    const Principal& p, const std::string& instance_id,
    const std::vector<DeleteOnTerminationChange>& changes) {
  if (changes.empty()) return MissingParameter("Give at least one device to change.");
  STRATO_RETURN_IF_ERROR(ValidateId("instance_id", instance_id, "i", "InvalidInstanceID.NotFound"));
  std::vector<Volume> out;
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto inst, t.GetInstance(Scope::Tenant(p.tenant_id), instance_id));
    if (inst.state == InstanceState::kTerminated || inst.state == InstanceState::kShuttingDown) {
      return IncorrectInstanceState("The instance '" + inst.id + "' is " + ToString(inst.state) +
                                    ".");
    }
    STRATO_ASSIGN_OR_RETURN(
        auto attached, t.ListVolumes(Scope::System(), {.instance_id = inst.id}, {.limit = 64}));
    for (const auto& change : changes) {
      const std::string device =
          IsRootDeviceName(change.device) ? std::string(kRootDeviceName) : change.device;
      auto it = std::find_if(attached.begin(), attached.end(), [&](const Volume& v) {
        return v.device == device && v.attach_state != AttachState::kDetaching;
      });
      if (it == attached.end()) {
        return InvalidParameter("'device': no volume is attached to " + inst.id + " at " +
                                change.device + ".");
      }
      if (change.volume_id && *change.volume_id != it->id) {
        return InvalidParameter("'volume_id': the volume at " + change.device + " of " + inst.id +
                                " is " + it->id + ", not " + *change.volume_id + ".");
      }
      if (std::any_of(out.begin(), out.end(), [&](const Volume& v) { return v.id == it->id; })) {
        return InvalidParameter("'device': " + change.device + " is given twice.");
      }
      if (it->instance_store_root && !change.delete_on_termination) {
        return BadRequest("InvalidParameterCombination",
                          "An instance-store root device is always deleted with its instance.");
      }
      it->delete_on_termination = change.delete_on_termination;
      it->updated_at = env_.now_ms();
      STRATO_RETURN_IF_ERROR(t.UpdateVolume(*it));
      out.push_back(*it);
    }
    return OkStatus();
  }));
  return out;
}

}  // namespace strato
