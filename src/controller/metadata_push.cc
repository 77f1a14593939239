#include "controller/metadata_push.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace strato {

Result<InstanceMetadata> LoadInstanceMetadata(ReadTxn& t, const Instance& i,
                                              const std::string& region) {
  STRATO_ASSIGN_OR_RETURN(auto c, t.GetInstanceContext(Scope::System(), i.id));
  MetadataNetworkExtras extras;
  // security-groups lists names, as EC2 does, in the order the instance was given them.
  STRATO_ASSIGN_OR_RETURN(auto group_ids, t.ListInstanceSecurityGroups(i.id));
  for (const auto& id : group_ids) {
    auto g = t.GetSecurityGroup(Scope::System(), id);
    if (g.ok()) extras.security_groups.push_back(g->name);
  }
  AddressFilter by_instance;
  by_instance.instance_id = i.id;
  STRATO_ASSIGN_OR_RETURN(auto addresses, t.ListAddresses(Scope::System(), by_instance));
  if (!addresses.empty()) extras.public_ipv4 = addresses.front().public_ip;
  InstanceMetadata m = BuildInstanceMetadata(i, c, region, extras);
  VolumeFilter attached;
  attached.instance_id = i.id;
  STRATO_ASSIGN_OR_RETURN(auto volumes, t.ListVolumes(Scope::System(), attached, {.limit = 64}));
  std::sort(volumes.begin(), volumes.end(),
            [](const Volume& a, const Volume& b) { return DeviceOrderLess(a.device, b.device); });
  for (const Volume& v : volumes) {
    // The root is "root"; a volume on its way out is no longer the guest's.
    if (v.device == kRootDeviceName || v.attach_state == AttachState::kDetaching) continue;
    m.volume_devices.push_back(v.device);
  }
  return m;
}

std::string EncodeMetadataPush(const std::vector<InstanceMetadata>& upserts, bool replace) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& m : upserts) list.push_back(InstanceMetadataToJson(m));
  return nlohmann::json{{"type", "metadata"}, {"upsert", std::move(list)}, {"replace", replace}}
      .dump();
}

}  // namespace strato
