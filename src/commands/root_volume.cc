#include "commands/root_volume.h"

#include <algorithm>

#include "commands/image_commands.h"
#include "common/ids.h"
#include "core/volume_types.h"

namespace strato {

namespace {
// The root volume's type: a baseline high enough not to slow a booting guest.
constexpr const char* kRootVolumeType = "gp3";
}  // namespace

Status ValidateRootDevice(const RootDeviceRequest& r) {
  if (r.type != "ebs" && r.type != "instance-store") {
    return InvalidParameter("'root_device_type' must be 'ebs' or 'instance-store'.");
  }
  if (r.type == "instance-store" && r.delete_on_termination == false) {
    return BadRequest("InvalidParameterCombination",
                      "An instance-store root device is always deleted with its instance.");
  }
  if (r.volume.snapshot_id) {
    return InvalidParameter("The root device comes from the image, not from a snapshot.");
  }
  return OkStatus();
}

Status CheckDisklessRoot(const RootDeviceRequest& r, const std::string& image_id) {
  const VolumeSpec& v = r.volume;
  if (!v.size_gib && !v.volume_type && !v.iops && !v.throughput_mibps) return OkStatus();
  return InvalidParameter("The image '" + image_id +
                          "' has no disk: its root device cannot be given a size, type, IOPS "
                          "or throughput.");
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

Status AddRootVolume(WriteTxn& t, const LaunchVolumes& l, const ImageData& disk,
                     const RootDeviceRequest& r) {
  const Instance& i = l.instance;
  const int64_t image_gib = std::max<int64_t>(1, (disk.virtual_size + kGiB - 1) / kGiB);
  const int64_t size_gib = r.volume.size_gib.value_or(image_gib);
  if (size_gib < image_gib) {
    return InvalidParameter("The root device needs at least " + std::to_string(image_gib) +
                            " GiB, the size of image " + i.image_id + ".");
  }
  const std::string type = r.volume.volume_type.value_or(kRootVolumeType);
  STRATO_RETURN_IF_ERROR(
      ComputeVolumeLimits(type, size_gib, r.volume.iops, r.volume.throughput_mibps).status());
  const bool ephemeral = r.type == "instance-store";
  Blob overlay{.id = NewResourceId("blob"),
               .backing_id = disk.blob_id,
               .size_bytes = size_gib * kGiB,
               .state = BlobState::kCreating,
               .created_at = l.now};
  Volume v;
  v.id = NewResourceId("vol");
  v.tenant_id = i.tenant_id;
  v.zone = l.zone;
  v.volume_type = type;
  v.iops = r.volume.iops.value_or(0);
  v.throughput_mibps = r.volume.throughput_mibps.value_or(0);
  v.size_gib = v.applied_size_gib = size_gib;
  v.snapshot_id = disk.snapshot_id;
  v.state = VolumeState::kCreating;
  v.blob_id = overlay.id;
  v.created_at = v.updated_at = l.now;
  AttachAtLaunch(v, l, std::string(kRootDeviceName),
                 ephemeral || r.delete_on_termination.value_or(true));
  STRATO_RETURN_IF_ERROR(t.InsertBlob(overlay));
  STRATO_RETURN_IF_ERROR(t.InsertVolume(v));
  return t.PutRootVolume(RootVolume{v.id, i.id, ephemeral});
}

void AttachAtLaunch(Volume& v, const LaunchVolumes& l, std::string device,
                    bool delete_on_termination) {
  v.instance_id = l.instance.id;
  v.device = std::move(device);
  v.attach_state = AttachState::kAttached;
  v.delete_on_termination = delete_on_termination;
  v.attached_at = l.now;
  v.tags = l.tags;
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
