#include "commands/root_volume.h"

#include <algorithm>

#include "commands/image_commands.h"
#include "common/ids.h"

namespace strato {

namespace {
// The root volume's type: a baseline high enough not to slow a booting guest.
constexpr const char* kRootVolumeType = "gp3";
constexpr const char* kRootDevice = "/dev/vda";
}  // namespace

Status ValidateRootDevice(const RootDeviceRequest& r) {
  if (r.type != "ebs" && r.type != "instance-store") {
    return InvalidParameter("'root_device_type' must be 'ebs' or 'instance-store'.");
  }
  if (r.type == "instance-store" && r.delete_on_termination == false) {
    return BadRequest("InvalidParameterCombination",
                      "An instance-store root device is always deleted with its instance.");
  }
  return OkStatus();
}

Result<std::optional<ImageData>> LaunchableDisk(ReadTxn& t, const std::string& image_id) {
  STRATO_ASSIGN_OR_RETURN(auto disk, ImageDiskOf(t, image_id));
  if (disk && disk->state != ImageDataState::kAvailable) {
    return BadRequest("InvalidAMIID.Unavailable", "The image '" + image_id + "' is " +
                                                      ToString(disk->state) +
                                                      " and cannot be launched.");
  }
  return disk;
}

Status AddRootVolume(WriteTxn& t, const Instance& i, const std::string& zone,
                     const ImageData& disk, const RootDeviceRequest& r, int64_t now) {
  const int64_t size_gib = std::max<int64_t>(1, (disk.virtual_size + kGiB - 1) / kGiB);
  Blob overlay{.id = NewResourceId("blob"), .backing_id = disk.blob_id,
               .size_bytes = size_gib * kGiB, .state = BlobState::kCreating, .created_at = now};
  Volume v;
  v.id = NewResourceId("vol");
  v.tenant_id = i.tenant_id;
  v.zone = zone;
  v.volume_type = kRootVolumeType;
  v.size_gib = v.applied_size_gib = size_gib;
  v.snapshot_id = disk.snapshot_id;
  v.state = VolumeState::kCreating;
  v.blob_id = overlay.id;
  v.instance_id = i.id;
  v.device = kRootDevice;
  v.attach_state = AttachState::kAttached;
  v.attached_at = v.created_at = v.updated_at = now;
  STRATO_RETURN_IF_ERROR(t.InsertBlob(overlay));
  STRATO_RETURN_IF_ERROR(t.InsertVolume(v));
  const bool ephemeral = r.type == "instance-store";
  return t.PutRootVolume(RootVolume{v.id, i.id, ephemeral || r.delete_on_termination.value_or(true),
                                    ephemeral});
}

Status CheckStoppable(ReadTxn& t, const std::string& instance_id) {
  STRATO_ASSIGN_OR_RETURN(auto root, t.GetRootVolumeOf(instance_id));
  if (root && root->instance_store) {
    return BadRequest("UnsupportedOperation",
                      "The instance '" + instance_id +
                          "' has an instance-store root device and cannot be stopped; it can "
                          "be rebooted or terminated.");
  }
  return OkStatus();
}

}  // namespace strato
