#pragma once
// Parsing of `strato instance run --volume` arguments into the "block_devices" entries of
// POST /v1/instances: DEVICE:ITEM[:ITEM…], where each item is one of
//   N            the size in GiB                      /dev/sdf:2
//   snap-…       the snapshot to make it from          /dev/sdg:snap-0123…
//   iops=N       provisioned IOPS (gp3, io1)           /dev/sdh:100:io1:iops=3000
//   throughput=N MiB/s (gp3)
//   keep         keep it when the instance terminates (delete_on_termination false)
//   anything else: the volume type                    /dev/sdf:2:gp3
// The root device may be given too (/dev/vda:4:gp3: its size and type).
// Only the form is checked here (InvalidParameterValue); the server checks the values.
// Thread-safety: pure functions.

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace strato::cli {

Result<nlohmann::ordered_json> ParseVolumeSpec(std::string_view text);

// ParseVolumeSpec over every argument, as a JSON array.
Result<nlohmann::ordered_json> ParseVolumeSpecs(const std::vector<std::string>& args);

}  // namespace strato::cli
