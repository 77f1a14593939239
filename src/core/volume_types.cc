#include "core/volume_types.h"

#include <algorithm>

namespace strato {
namespace {

constexpr int64_t kMiB = 1024 * 1024;

std::string S(int64_t v) { return std::to_string(v); }

// Throughput types scale per TiB: MiB/s × size / 1024, at least 1 MiB/s worth of bytes.
int64_t PerTiBBytes(int64_t mibps_per_tib, int64_t size_gib) {
  return std::max<int64_t>(kMiB, mibps_per_tib * kMiB * size_gib / 1024);
}

}  // namespace

const std::vector<VolumeTypeSpec>& VolumeTypeCatalog() {
  static const std::vector<VolumeTypeSpec> kTypes = {
      {"gp2", 1, 16384, false, false},   {"gp3", 1, 16384, true, true},
      {"io1", 4, 16384, true, false},    {"st1", 125, 16384, false, false},
      {"sc1", 125, 16384, false, false}, {"standard", 1, 1024, false, false},
  };
  return kTypes;
}

const VolumeTypeSpec* FindVolumeType(std::string_view name) {
  for (const auto& t : VolumeTypeCatalog()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

Result<VolumeLimits> ComputeVolumeLimits(std::string_view type, int64_t size_gib,
                                         std::optional<int64_t> iops,
                                         std::optional<int64_t> throughput) {
  const VolumeTypeSpec* t = FindVolumeType(type);
  if (!t) {
    return InvalidParameter("'volume_type': '" + std::string(type) +
                            "' is not a volume type (gp2, gp3, io1, st1, sc1, standard).");
  }
  if (size_gib < t->min_gib || size_gib > t->max_gib) {
    return InvalidParameter("'size': a " + std::string(type) + " volume must be " +
                            S(t->min_gib) + "–" + S(t->max_gib) + " GiB, not " + S(size_gib) +
                            ".");
  }
  if (iops && !t->iops_configurable) {
    return InvalidParameter("'iops' cannot be set for a " + std::string(type) + " volume.");
  }
  if (throughput && !t->throughput_configurable) {
    return InvalidParameter("'throughput' cannot be set for a " + std::string(type) +
                            " volume.");
  }
  VolumeLimits l;
  ThrottleLimits& q = l.throttle;
  if (type == "gp2") {
    l.iops = std::clamp<int64_t>(3 * size_gib, 100, 16000);
    l.throughput_mibps = size_gib <= 170 ? 128 : 250;
    q.iops_total = l.iops;
    if (l.iops < 3000) {
      // The 5.4 M I/O-credit bucket: 1,800 s at 3,000 IOPS.
      q.iops_total_max = 3000;
      q.iops_total_max_length = 5400000 / 3000;
    }
    q.bps_total = l.throughput_mibps * kMiB;
  } else if (type == "gp3") {
    l.iops = iops.value_or(3000);
    l.throughput_mibps = throughput.value_or(125);
    if (l.iops < 3000 || l.iops > 16000) {
      return InvalidParameter("'iops': a gp3 volume takes 3000–16000 IOPS, not " + S(l.iops) +
                              ".");
    }
    if (l.iops > 3000 && l.iops > 500 * size_gib) {  // the 3,000 baseline is free
      return InvalidParameter("'iops': a gp3 volume takes at most 500 IOPS per GiB (" +
                              S(500 * size_gib) + " for " + S(size_gib) + " GiB).");
    }
    if (l.throughput_mibps < 125 || l.throughput_mibps > 1000) {
      return InvalidParameter("'throughput': a gp3 volume takes 125–1000 MiB/s, not " +
                              S(l.throughput_mibps) + ".");
    }
    if (l.throughput_mibps * 4 > l.iops) {
      return InvalidParameter("'throughput': a gp3 volume takes at most 0.25 MiB/s per IOPS (" +
                              S(l.iops / 4) + " MiB/s at " + S(l.iops) + " IOPS).");
    }
    q.iops_total = l.iops;
    q.bps_total = l.throughput_mibps * kMiB;
  } else if (type == "io1") {
    if (!iops) return MissingParameter("'iops' is required for an io1 volume.");
    l.iops = *iops;
    if (l.iops < 100 || l.iops > 64000) {
      return InvalidParameter("'iops': an io1 volume takes 100–64000 IOPS, not " + S(l.iops) +
                              ".");
    }
    if (l.iops > 50 * size_gib) {
      return InvalidParameter("'iops': an io1 volume takes at most 50 IOPS per GiB (" +
                              S(50 * size_gib) + " for " + S(size_gib) + " GiB).");
    }
    l.throughput_mibps = std::min<int64_t>(1000, std::max<int64_t>(1, l.iops / 4));
    q.iops_total = l.iops;
    q.bps_total = l.throughput_mibps * kMiB;
  } else if (type == "st1" || type == "sc1") {
    const bool st1 = type == "st1";
    const int64_t cap = (st1 ? 500 : 250) * kMiB;
    q.bps_total = std::min(cap, PerTiBBytes(st1 ? 40 : 12, size_gib));
    q.bps_total_max = std::min(cap, PerTiBBytes(st1 ? 250 : 80, size_gib));
    if (q.bps_total_max > q.bps_total) {
      q.bps_total_max_length = 3600;  // a full bucket: an hour of burst
    } else {
      q.bps_total_max = 0;
    }
    l.throughput_mibps = q.bps_total / kMiB;
    l.iops = st1 ? 500 : 250;
    q.iops_total = l.iops;
  } else {  // standard
    l.iops = 100;
    l.throughput_mibps = 90;
    q.iops_total = 100;
    q.iops_total_max = 400;
    q.iops_total_max_length = 60;
    q.bps_total = 90 * kMiB;
  }
  return l;
}

}  // namespace strato
