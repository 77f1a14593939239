#include "metadata/instance_metadata.h"

#include "common/base64.h"

namespace strato {

using nlohmann::json;

InstanceMetadata BuildInstanceMetadata(const Instance& i, const InstanceContext& c,
                                       const std::string& region,
                                       const MetadataNetworkExtras& extras) {
  InstanceMetadata m;
  m.instance_id = i.id;
  m.tenant_id = i.tenant_id;
  m.image_id = i.image_id;
  m.instance_type = i.instance_type;
  m.zone = i.zone;
  m.region = region;
  m.launched_at = i.launched_at;
  m.launch_index = i.launch_index;
  for (const auto& n : i.interfaces)
    m.interfaces.push_back({n.mac, n.private_ip, n.vpc_id, n.subnet_id, n.subnet_cidr, n.id});
  m.key_name = c.key_name;
  m.public_key = c.public_key;
  m.user_data = c.user_data;
  m.options = c.metadata;
  m.extras = extras;
  return m;
}

json InstanceMetadataToJson(const InstanceMetadata& m) {
  json nics = json::array();
  for (const auto& n : m.interfaces)
    nics.push_back({{"mac", n.mac}, {"ip", n.private_ip}, {"vpc_id", n.vpc_id},
                    {"subnet_id", n.subnet_id}, {"cidr", n.subnet_cidr},
                    {"interface_id", n.interface_id}});
  return {{"instance_id", m.instance_id},
          {"tenant_id", m.tenant_id},
          {"image_id", m.image_id},
          {"instance_type", m.instance_type},
          {"zone", m.zone},
          {"region", m.region},
          {"launched_at", m.launched_at},
          {"launch_index", m.launch_index},
          {"interfaces", std::move(nics)},
          {"key_name", m.key_name},
          {"public_key", m.public_key},
          // JSON strings must be UTF-8; user-data is any bytes.
          {"user_data_b64", Base64Encode(m.user_data)},
          {"http_tokens", m.options.http_tokens},
          {"hop_limit", m.options.hop_limit},
          {"http_endpoint", m.options.http_endpoint},
          {"security_groups", m.extras.security_groups},
          {"public_ipv4", m.extras.public_ipv4},
          {"volume_devices", m.volume_devices}};
}

Result<InstanceMetadata> InstanceMetadataFromJson(const json& j) {
  try {
    InstanceMetadata m;
    m.instance_id = j.at("instance_id").get<std::string>();
    m.tenant_id = j.at("tenant_id").get<std::string>();
    m.image_id = j.at("image_id").get<std::string>();
    m.instance_type = j.at("instance_type").get<std::string>();
    m.zone = j.at("zone").get<std::string>();
    m.region = j.at("region").get<std::string>();
    m.launched_at = j.at("launched_at").get<TimeMs>();
    for (const auto& n : j.at("interfaces"))
      m.interfaces.push_back({n.at("mac").get<std::string>(), n.at("ip").get<std::string>(),
                              n.at("vpc_id").get<std::string>(),
                              n.at("subnet_id").get<std::string>(),
                              n.at("cidr").get<std::string>(),
                              n.at("interface_id").get<std::string>()});
    m.key_name = j.at("key_name").get<std::string>();
    m.public_key = j.at("public_key").get<std::string>();
    auto ud = Base64Decode(j.at("user_data_b64").get<std::string>());
    if (!ud) return InvalidParameter("bad instance metadata: user_data_b64 is not base64");
    m.user_data = std::move(*ud);
    m.options.http_tokens = j.at("http_tokens").get<std::string>();
    m.options.hop_limit = j.at("hop_limit").get<int>();
    m.options.http_endpoint = j.at("http_endpoint").get<std::string>();
    m.extras.security_groups = j.at("security_groups").get<std::vector<std::string>>();
    m.extras.public_ipv4 = j.at("public_ipv4").get<std::string>();
    // Absent from a snapshot made before volumes were listed: none.
    m.volume_devices = j.value("volume_devices", std::vector<std::string>{});
    m.launch_index = j.value("launch_index", 0);  // likewise: 0
    return m;
  } catch (const json::exception& e) {
    return InvalidParameter(std::string("bad instance metadata: ") + e.what());
  }
}

}  // namespace strato
