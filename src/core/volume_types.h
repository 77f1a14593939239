#pragma once
// Volume types: the EBS table, as limits QEMU enforces with a throttle group per volume.
//
//   gp2       3 IOPS/GiB, min 100, max 16,000; burst to 3,000 (5.4 M I/O credits);
//             128 MiB/s (≤ 170 GiB) or 250 MiB/s.          size 1–16,384 GiB
//   gp3       3,000 IOPS and 125 MiB/s baseline; iops up to 16,000 (≤ 500/GiB), throughput
//             up to 1,000 MiB/s (≤ 0.25 MiB/s per IOPS).   size 1–16,384 GiB
//   io1       provisioned 100–64,000 IOPS, ≤ 50/GiB; 256 KiB per I/O, ≤ 1,000 MiB/s.
//                                                         size 4–16,384 GiB
//   st1       40 MiB/s per TiB baseline, burst 250 per TiB, max 500 MiB/s; 500 IOPS.
//                                                         size 125–16,384 GiB
//   sc1       12 MiB/s per TiB baseline, burst 80 per TiB, max 250 MiB/s; 250 IOPS.
//                                                         size 125–16,384 GiB
//   standard  ~100 IOPS (bursting to a few hundred), 90 MiB/s.  size 1–1,024 GiB
//
// Pure functions: no I/O, no clock. Errors are InvalidParameterValue naming the field.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace strato {

struct VolumeTypeSpec {
  std::string_view name;
  int64_t min_gib;
  int64_t max_gib;
  bool iops_configurable;        // gp3, io1
  bool throughput_configurable;  // gp3
};
const std::vector<VolumeTypeSpec>& VolumeTypeCatalog();
const VolumeTypeSpec* FindVolumeType(std::string_view name);

// QEMU throttle-group properties (x-iops-total etc. in `object-add throttle-group`).
// A zero field is "no limit" and is left out.
struct ThrottleLimits {
  int64_t iops_total = 0;
  int64_t iops_total_max = 0;         // burst rate
  int64_t iops_total_max_length = 0;  // seconds the burst can last
  int64_t bps_total = 0;
  int64_t bps_total_max = 0;
  int64_t bps_total_max_length = 0;
  bool operator==(const ThrottleLimits&) const = default;
};

// What a volume of this type and size delivers, as the user sees it and as QEMU enforces it.
struct VolumeLimits {
  int64_t iops = 0;             // baseline IOPS
  int64_t throughput_mibps = 0; // baseline MiB/s
  ThrottleLimits throttle;
};

// Validates the combination (size range of the type; iops only for gp3/io1, required for
// io1; throughput only for gp3) and computes the limits. `iops`/`throughput_mibps` unset
// mean the type's default.
Result<VolumeLimits> ComputeVolumeLimits(std::string_view type, int64_t size_gib,
                                         std::optional<int64_t> iops,
                                         std::optional<int64_t> throughput_mibps);

}  // namespace strato
