#pragma once
// RunInstances' BlockDeviceMapping.N as the launch command's block device requests
// (commands/block_devices.h, where the rules live): DeviceName with Ebs.VolumeSize,
// Ebs.VolumeType, Ebs.Iops, Ebs.Throughput, Ebs.SnapshotId and Ebs.DeleteOnTermination.
// What this cloud does not offer is refused here, never ignored: VirtualName (instance-store
// volumes) and Ebs.Encrypted=true are Unsupported; NoDevice with Ebs settings is
// InvalidParameterCombination, on the root device InvalidBlockDeviceMapping, and otherwise
// a no-op (images map no data device to suppress).
// Thread-safety: pure function.

#include <vector>

#include "api/ec2/ec2_params.h"
#include "commands/block_devices.h"
#include "common/status.h"

namespace strato::api::ec2 {

Result<std::vector<BlockDeviceRequest>> ParseBlockDeviceMappings(const Ec2Params& params);

}  // namespace strato::api::ec2
