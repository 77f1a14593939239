#include "controller/volume_attachments.h"

#include <algorithm>

namespace strato {

VolumeAttachment AttachmentOf(const Volume& v) {
  auto limits = ComputeVolumeLimits(v.volume_type, v.size_gib,
                                    v.iops ? std::optional<int64_t>(v.iops) : std::nullopt,
                                    v.throughput_mibps ? std::optional<int64_t>(v.throughput_mibps)
                                                       : std::nullopt);
  return VolumeAttachment{v.id, v.blob_id, limits.ok() ? limits->throttle : ThrottleLimits{},
                          v.size_gib * kGiB};
}

Result<AttachmentsReadiness> CheckAttachments(ReadTxn& t,
                                              const std::vector<VolumeAttachment>& attachments) {
  AttachmentsReadiness out{.ready = true};
  for (const auto& a : attachments) {
    auto b = t.GetBlob(a.blob_id);
    if (b.ok() && b->state == BlobState::kError) {
      return AttachmentsReadiness{.failed = "the volume " + a.volume_id + " could not be made" +
                                            (b->state_reason.empty() ? "" : ": " + b->state_reason)};
    }
    if (!b.ok() || b->state != BlobState::kReady) out.ready = false;
  }
  return out;
}

Result<std::vector<VolumeAttachment>> AttachmentsOf(ReadTxn& t, const std::string& instance_id) {
  STRATO_ASSIGN_OR_RETURN(auto volumes, t.ListVolumes(Scope::System(),
                                                      {.instance_id = instance_id}, {.limit = 64}));
  // The root device first: the guest's first disk (/dev/vda) is the one on the first port.
  std::sort(volumes.begin(), volumes.end(),
            [](const Volume& a, const Volume& b) { return DeviceOrderLess(a.device, b.device); });
  std::vector<VolumeAttachment> out;
  for (const auto& v : volumes) {
    if (v.attach_state == AttachState::kAttached || v.attach_state == AttachState::kAttaching) {
      out.push_back(AttachmentOf(v));
    }
  }
  return out;
}

}  // namespace strato
