#pragma once
// InstanceMetadata: everything the metadata service answers for one instance, as a
// self-contained snapshot. The controller builds it from the store and pushes it to the
// instance's host agent (as JSON, like every agent message); the service answers from it
// in memory, so a boot storm never reaches the database.
// Plain value type; the functions are pure and thread-safe.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "core/instance_context.h"
#include "core/model.h"

namespace strato {

struct MetadataInterface {
  std::string mac;
  std::string private_ip;
  std::string vpc_id;
  std::string subnet_id;
  std::string subnet_cidr;
  std::string interface_id;
};

// The instance's security-group names and elastic/public address, read by the controller
// (controller/metadata_push.cc); empty renders as EC2 does for an instance without them.
struct MetadataNetworkExtras {
  std::vector<std::string> security_groups;
  std::string public_ipv4;
};

struct InstanceMetadata {
  std::string instance_id;
  std::string tenant_id;  // the "accountId" of the identity document
  std::string image_id;
  std::string instance_type;
  std::string zone;
  std::string region;
  TimeMs launched_at = 0;
  int launch_index = 0;  // ami-launch-index
  std::vector<MetadataInterface> interfaces;  // [0] is the primary
  std::string key_name;
  std::string public_key;
  std::string user_data;
  MetadataOptions options;
  MetadataNetworkExtras extras;
  // The data volumes' devices ("/dev/sdf", …), in device order, as they were when the
  // snapshot was pushed (at start, and with every resync): block-device-mapping/ebsN.
  std::vector<std::string> volume_devices;
};

InstanceMetadata BuildInstanceMetadata(const Instance& i, const InstanceContext& c,
                                       const std::string& region,
                                       const MetadataNetworkExtras& extras = {});

nlohmann::json InstanceMetadataToJson(const InstanceMetadata& m);
// InvalidParameterValue when a required field is missing or of the wrong type.
Result<InstanceMetadata> InstanceMetadataFromJson(const nlohmann::json& j);

}  // namespace strato
