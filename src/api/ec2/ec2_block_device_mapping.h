#pragma once
// RunInstances' BlockDeviceMapping.N. Strato's launch command gives an instance its root
// disk from the image only; extra volumes are made with CreateVolume and attached with
// AttachVolume once the instance is placed. So a mapping is checked for well-formed values
// (InvalidParameterValue) and then refused as Unsupported, never silently ignored.
// Thread-safety: pure function.

#include "api/ec2/ec2_params.h"
#include "common/status.h"

namespace strato::api::ec2 {

Status RefuseBlockDeviceMappings(const Ec2Params& params);

}  // namespace strato::api::ec2
