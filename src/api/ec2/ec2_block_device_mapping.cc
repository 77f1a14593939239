#include "api/ec2/ec2_block_device_mapping.h"

namespace strato::api::ec2 {
namespace {

constexpr const char* kFields[] = {"DeviceName",      "Ebs.VolumeSize",    "Ebs.VolumeType",
                                   "Ebs.DeleteOnTermination", "Ebs.Iops", "Ebs.Throughput",
                                   "Ebs.SnapshotId",  "Ebs.Encrypted",     "NoDevice",
                                   "VirtualName"};

bool IsRootDevice(const std::string& d) {
  return d == "/dev/vda" || d == "/dev/xvda" || d == "/dev/sda1";
}

Status Unsupported() {
  return BadRequest("Unsupported",
                    "BlockDeviceMapping: only the root device (/dev/vda) and its "
                    "Ebs.DeleteOnTermination can be mapped at launch; create data volumes with "
                    "CreateVolume and attach them with AttachVolume once the instance is placed.");
}

}  // namespace

Status ParseBlockDeviceMappings(const Ec2Params& params, RootDeviceRequest& root) {
  bool any = false;
  bool unsupported = false;
  for (int n = 1;; ++n) {
    const std::string prefix = "BlockDeviceMapping." + std::to_string(n) + ".";
    int fields = 0;
    for (const char* field : kFields) fields += params.Find(prefix + field) ? 1 : 0;
    if (fields == 0) break;
    any = true;
    STRATO_RETURN_IF_ERROR(params.Int(prefix + "Ebs.VolumeSize", 1, 65536).status());
    STRATO_RETURN_IF_ERROR(params.Int(prefix + "Ebs.Iops", 1, 1000000).status());
    STRATO_RETURN_IF_ERROR(params.Int(prefix + "Ebs.Throughput", 1, 100000).status());
    STRATO_ASSIGN_OR_RETURN(auto keep, params.Bool(prefix + "Ebs.DeleteOnTermination"));
    STRATO_RETURN_IF_ERROR(params.Bool(prefix + "Ebs.Encrypted").status());
    const std::string* device = params.Find(prefix + "DeviceName");
    if (device == nullptr) return MissingParameter(prefix + "DeviceName is required.");
    const int root_fields = 1 + (keep ? 1 : 0);
    if (!IsRootDevice(*device) || fields != root_fields) {
      unsupported = true;
      continue;
    }
    root.delete_on_termination = keep;
  }
  // Mappings numbered from 2 without a 1 are malformed, and refused the same way.
  if (!any && !params.List("BlockDeviceMapping").ok()) unsupported = true;
  return unsupported ? Unsupported() : OkStatus();
}

}  // namespace strato::api::ec2
