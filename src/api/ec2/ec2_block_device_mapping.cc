// RunInstances' BlockDeviceMapping: the root device's delete-on-termination.
#include "api/ec2/ec2_block_device_mapping.h"

namespace strato::api::ec2 {

Status ParseRootDeviceMapping(const Ec2Params& p, RootDeviceRequest& root) {
  for (int n = 1; n <= 64; ++n) {
    const std::string prefix = "BlockDeviceMapping." + std::to_string(n) + ".";
    const std::string* device = p.Find(prefix + "DeviceName");
    STRATO_ASSIGN_OR_RETURN(auto keep, p.Bool(prefix + "Ebs.DeleteOnTermination"));
    if (device == nullptr) {
      if (keep) return MissingParameter(prefix + "DeviceName is required.");
      continue;
    }
    if (*device != "/dev/vda" && *device != "/dev/xvda" && *device != "/dev/sda1") {
      return InvalidParameter("BlockDeviceMapping: only the root device (/dev/vda) can be "
                              "mapped at launch; attach data volumes with AttachVolume.");
    }
    root.delete_on_termination = keep;
  }
  return OkStatus();
}

}  // namespace strato::api::ec2
