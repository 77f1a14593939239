#pragma once
// Root devices of instances launched from an image with a disk: a copy-on-write volume over
// the image's blob, attached as the guest's first disk (/dev/vda) from the start.
//   - "ebs" (default): a volume the user sees; it survives stop/start, and
//     delete_on_termination (default true) decides its fate at terminate.
//   - "instance-store": ephemeral; the instance can reboot and terminate but not stop
//     (UnsupportedOperation), and the disk goes with the instance.
// Thread-safety: pure functions over a transaction.

#include <optional>
#include <string>

#include "store/store.h"

namespace strato {

struct RootDeviceRequest {
  std::string type = "ebs";  // "ebs" | "instance-store"
  std::optional<bool> delete_on_termination;
};

// InvalidParameterValue / InvalidParameterCombination for a bad request.
Status ValidateRootDevice(const RootDeviceRequest& r);

// The launchable disk of image `image_id`, or nullopt when it has none (the default guest).
// An image whose disk is pending or failed cannot launch: InvalidAMIID.Unavailable.
Result<std::optional<ImageData>> LaunchableDisk(ReadTxn& t, const std::string& image_id);

// Inserts the root volume (creating, attached to `i` as /dev/vda) and its overlay blob.
Status AddRootVolume(WriteTxn& t, const Instance& i, const std::string& zone,
                     const ImageData& disk, const RootDeviceRequest& r, int64_t now);

// Refuses to stop an instance whose root device is instance-store (UnsupportedOperation).
Status CheckStoppable(ReadTxn& t, const std::string& instance_id);

}  // namespace strato
