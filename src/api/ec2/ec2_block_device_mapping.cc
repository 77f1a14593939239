#include "api/ec2/ec2_block_device_mapping.h"

namespace strato::api::ec2 {
namespace {

// What any type could take; each type's own range is checked by the command.
constexpr int64_t kMaxVolumeGib = 65536;

bool HasEbsFields(const std::map<std::string, std::string>& fields) {
  for (const auto& [name, value] : fields) {
    if (name.rfind("Ebs.", 0) == 0) return true;
  }
  return false;
}

}  // namespace

Result<std::vector<BlockDeviceRequest>> ParseBlockDeviceMappings(const Ec2Params& params) {
  STRATO_ASSIGN_OR_RETURN(auto mappings, params.StructuresByIndex("BlockDeviceMapping"));
  std::vector<BlockDeviceRequest> out;
  for (const auto& [n, fields] : mappings) {
    const std::string prefix = "BlockDeviceMapping." + std::to_string(n) + ".";
    const std::string* device = params.Find(prefix + "DeviceName");
    if (device == nullptr) {
      return MissingParameter("The request must contain the parameter " + prefix + "DeviceName.");
    }
    if (params.Find(prefix + "VirtualName")) {
      return BadRequest("Unsupported", prefix +
                                           "VirtualName: instance-store (ephemeral) volumes are "
                                           "not offered; map an EBS volume (Ebs.VolumeSize).");
    }
    if (params.Find(prefix + "NoDevice")) {
      if (HasEbsFields(fields)) {
        return BadRequest("InvalidParameterCombination",
                          prefix + "NoDevice cannot be combined with Ebs settings.");
      }
      if (IsRootDeviceName(*device)) {
        return BadRequest("InvalidBlockDeviceMapping",
                          "The root device (" + *device + ") cannot be suppressed with NoDevice.");
      }
      continue;
    }
    STRATO_ASSIGN_OR_RETURN(auto encrypted, params.Bool(prefix + "Ebs.Encrypted"));
    if (encrypted.value_or(false)) {
      return BadRequest("Unsupported",
                        "Encrypted volumes are not supported (" + prefix + "Ebs.Encrypted).");
    }
    BlockDeviceRequest r;
    r.device = *device;
    STRATO_ASSIGN_OR_RETURN(r.volume.size_gib,
                            params.Int(prefix + "Ebs.VolumeSize", 1, kMaxVolumeGib));
    r.volume.volume_type = params.Optional(prefix + "Ebs.VolumeType");
    STRATO_ASSIGN_OR_RETURN(r.volume.iops, params.Int(prefix + "Ebs.Iops", 1, 1000000));
    STRATO_ASSIGN_OR_RETURN(r.volume.throughput_mibps,
                            params.Int(prefix + "Ebs.Throughput", 1, 100000));
    r.volume.snapshot_id = params.Optional(prefix + "Ebs.SnapshotId");
    STRATO_ASSIGN_OR_RETURN(r.delete_on_termination,
                            params.Bool(prefix + "Ebs.DeleteOnTermination"));
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace strato::api::ec2
