#pragma once
// RunInstances' BlockDeviceMapping.N.{DeviceName, Ebs.DeleteOnTermination}: only the root
// device (/dev/vda; /dev/xvda and /dev/sda1 as aliases) can be mapped, and only its
// delete-on-termination set. Errors: InvalidParameterValue, MissingParameter.

#include "api/ec2/ec2_params.h"
#include "commands/root_volume.h"

namespace strato::api::ec2 {

Status ParseRootDeviceMapping(const Ec2Params& p, RootDeviceRequest& root);

}  // namespace strato::api::ec2
