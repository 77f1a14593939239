#pragma once
// Volumes mapped at launch: RunInstances' BlockDeviceMapping.N and the native API's
// "block_devices". A mapping of the root device (/dev/vda, or its aliases /dev/xvda and
// /dev/sda1) sets the root volume's size, type and fate (root_volume.h). Any other mapping
// makes a data volume in the instance's zone and tenant, in the launch's transaction (so a
// bad mapping launches nothing), attached at its device from the start: the guest boots
// with it. Each attachment has its own DeleteOnTermination (default true for a mapping,
// false for AttachVolume); terminate deletes the volumes whose attachment says so and
// leaves the others available.
// Thread-safety: pure functions over a transaction.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/root_volume.h"
#include "commands/volume_commands.h"
#include "store/store.h"

namespace strato {

struct BlockDeviceRequest {
  std::string device;  // the root (IsRootDeviceName) or a data device (IsValidDeviceName)
  VolumeSpec volume;   // a data volume needs a size or a snapshot
  std::optional<bool> delete_on_termination;  // default true
};

// "/dev/vda", and the names EC2 images give their root device: "/dev/xvda", "/dev/sda1".
bool IsRootDeviceName(std::string_view device);

// Checks the mappings as far as can be done without the store (device names, each device
// mapped once, a size or a snapshot for each data volume, the types' rules, how many) and
// moves the root device's settings into `root`. Returns the data volumes, in the order given.
// Errors: InvalidBlockDeviceMapping (device name, duplicate, neither size nor snapshot),
// InvalidParameterValue (type, size, IOPS, throughput), InvalidSnapshot.Malformed,
// InvalidParameterCombination (the root's delete_on_termination given twice, differently),
// AttachmentLimitExceeded.
Result<std::vector<BlockDeviceRequest>> SplitBlockDevices(
    const std::vector<BlockDeviceRequest>& mappings, RootDeviceRequest& root);

// Inserts the data volumes of an instance (creating, attached at their devices) and their
// blobs. Errors: InvalidSnapshot.NotFound, IncorrectState (snapshot not completed),
// InvalidParameterValue (smaller than its snapshot).
Status AddDataVolumes(WriteTxn& t, const LaunchVolumes& l,
                      const std::vector<BlockDeviceRequest>& data);

// Fills Instance::block_devices of each instance from the volumes attached to it, the root
// device first, then in device order. One query for all of them.
Status LoadBlockDevices(ReadTxn& t, std::vector<Instance>& instances);
Status LoadBlockDevices(ReadTxn& t, Instance& instance);

}  // namespace strato
