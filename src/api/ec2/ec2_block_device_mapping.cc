#include "api/ec2/ec2_block_device_mapping.h"

namespace strato::api::ec2 {

Status RefuseBlockDeviceMappings(const Ec2Params& params) {
  bool any = false;
  for (int n = 1;; ++n) {
    const std::string prefix = "BlockDeviceMapping." + std::to_string(n) + ".";
    bool present = false;
    for (const char* field :
         {"DeviceName", "Ebs.VolumeSize", "Ebs.VolumeType", "Ebs.DeleteOnTermination", "Ebs.Iops",
          "Ebs.Throughput", "Ebs.SnapshotId", "Ebs.Encrypted", "NoDevice", "VirtualName"}) {
      present = present || params.Find(prefix + field);
    }
    if (!present) break;
    any = true;
    STRATO_RETURN_IF_ERROR(params.Int(prefix + "Ebs.VolumeSize", 1, 65536).status());
    STRATO_RETURN_IF_ERROR(params.Int(prefix + "Ebs.Iops", 1, 1000000).status());
    STRATO_RETURN_IF_ERROR(params.Int(prefix + "Ebs.Throughput", 1, 100000).status());
    STRATO_RETURN_IF_ERROR(params.Bool(prefix + "Ebs.DeleteOnTermination").status());
    STRATO_RETURN_IF_ERROR(params.Bool(prefix + "Ebs.Encrypted").status());
  }
  // Mappings numbered from 2 without a 1 are malformed, and refused the same way.
  if (!any && !params.List("BlockDeviceMapping").ok()) any = true;
  if (!any) return OkStatus();
  return BadRequest("Unsupported",
                    "BlockDeviceMapping is not supported: instances boot from their image's root "
                    "disk; create data volumes with CreateVolume and attach them with "
                    "AttachVolume once the instance is placed.");
}

}  // namespace strato::api::ec2
