#include "core/volume_modification.h"

namespace strato {

VolumeLimits DeliveredLimits(const Volume& v) {
  auto limits = ComputeVolumeLimits(
      v.volume_type, v.size_gib, v.iops ? std::optional<int64_t>(v.iops) : std::nullopt,
      v.throughput_mibps ? std::optional<int64_t>(v.throughput_mibps) : std::nullopt);
  return limits.ok() ? *limits : VolumeLimits{};
}

VolumeModification RecordModification(const Volume& before, const Volume& after, TimeMs now) {
  const VolumeLimits was = DeliveredLimits(before);
  const VolumeLimits will = DeliveredLimits(after);
  VolumeModification m{.volume_id = after.id,
                       .tenant_id = after.tenant_id,
                       .original_size_gib = before.size_gib,
                       .original_volume_type = before.volume_type,
                       .original_iops = was.iops,
                       .original_throughput_mibps = was.throughput_mibps,
                       .target_size_gib = after.size_gib,
                       .target_volume_type = after.volume_type,
                       .target_iops = will.iops,
                       .target_throughput_mibps = will.throughput_mibps,
                       .start_time = now};
  // Growing the blob happens in the background; a type or performance change is immediate.
  if (after.size_gib == after.applied_size_gib) {
    m.state = ModificationState::kCompleted;
    m.progress = 100;
    m.end_time = now;
  }
  return m;
}

bool SettleModification(VolumeModification& m, const Volume& v, TimeMs now) {
  if (m.state != ModificationState::kModifying && m.state != ModificationState::kOptimizing) {
    return false;
  }
  if (v.size_gib != m.target_size_gib) {
    // The controller gave the grow up and put the size back (or a later change replaced
    // this one, which then has its own record).
    m.state = ModificationState::kFailed;
    m.status_message = v.state_reason;
  } else if (v.applied_size_gib >= m.target_size_gib) {
    m.state = ModificationState::kCompleted;
    m.progress = 100;
  } else {
    return false;
  }
  m.end_time = now;
  return true;
}

}  // namespace strato
