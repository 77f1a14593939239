#pragma once
// RunInstances' BlockDeviceMapping.N. An instance gets its root disk from its image; the root
// mapping (/dev/vda, with /dev/xvda and /dev/sda1 as aliases) may set Ebs.DeleteOnTermination.
// Extra volumes are made with CreateVolume and attached with AttachVolume once the instance is
// placed, so any other mapping is checked for well-formed values (InvalidParameterValue) and
// then refused as Unsupported, never silently ignored.
// Thread-safety: pure function.

#include "api/ec2/ec2_params.h"
#include "commands/root_volume.h"
#include "common/status.h"

namespace strato::api::ec2 {

Status ParseBlockDeviceMappings(const Ec2Params& params, RootDeviceRequest& root);

}  // namespace strato::api::ec2
