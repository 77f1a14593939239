#pragma once
// Root devices of instances launched from an image with a disk: a copy-on-write volume over
// the image's blob, attached as the guest's first disk (/dev/vda) from the start.
//   - "ebs" (default): a volume the user sees; it survives stop/start, and
//     delete_on_termination (default true) decides its fate at terminate. Its size (at
//     least the image's, the default), type (gp3 by default), IOPS and throughput may be
//     chosen at launch.
//   - "instance-store": ephemeral; the instance can reboot and terminate but not stop
//     (UnsupportedOperation), and the disk goes with the instance.
// Thread-safety: pure functions over a transaction.

#include <map>
#include <optional>
#include <string>

#include "commands/volume_commands.h"
#include "store/store.h"

namespace strato {

struct RootDeviceRequest {
  std::string type = "ebs";  // "ebs" | "instance-store"
  std::optional<bool> delete_on_termination;
  VolumeSpec volume;  // size, type, iops, throughput; never a snapshot (the image is its data)
};

// InvalidParameterValue / InvalidParameterCombination for a bad request.
Status ValidateRootDevice(const RootDeviceRequest& r);

// An image without a disk boots the default guest: its root device cannot be sized or typed
// (InvalidParameterValue naming `image_id`).
Status CheckDisklessRoot(const RootDeviceRequest& r, const std::string& image_id);

// The launchable disk of image `image_id`, or nullopt when it has none (the default guest).
// An image whose disk is pending or failed cannot launch: InvalidAMIID.Unavailable.
Result<std::optional<ImageData>> LaunchableDisk(ReadTxn& t, const std::string& image_id);

// Where the volumes made with an instance go: attached to `instance` from the start (it is
// plugged with them when it first boots), in `zone`, tagged `tags`.
struct LaunchVolumes {
  const Instance& instance;
  const std::string& zone;
  const std::map<std::string, std::string>& tags;
  int64_t now;
};

// Inserts the root volume (creating, attached as /dev/vda) and its overlay blob.
// A size below the image's, or one the type does not take: InvalidParameterValue.
Status AddRootVolume(WriteTxn& t, const LaunchVolumes& l, const ImageData& disk,
                     const RootDeviceRequest& r);

// Gives `v`, made in the launch's transaction, its place in `l`: attached at `device`.
void AttachAtLaunch(Volume& v, const LaunchVolumes& l, std::string device,
                    bool delete_on_termination);

// Refuses to stop an instance whose root device is instance-store (UnsupportedOperation).
Status CheckStoppable(ReadTxn& t, const std::string& instance_id);

}  // namespace strato
