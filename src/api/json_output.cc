#include "api/json_output.h"

#include <ctime>

#include "core/volume_model.h"

namespace strato::api {

using nlohmann::json;

std::string IsoTime(TimeMs ms) {
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  char out[40];
  std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
  return out;
}

json ToJson(const Instance& i) {
  json nics = json::array();
  for (const auto& n : i.interfaces) nics.push_back(ToJson(n));
  json groups = json::array();
  for (const auto& g : i.security_groups) groups.push_back(g.id);
  // The first interface's fields are repeated at the top, as EC2 does.
  const NetworkInterface* primary = i.interfaces.empty() ? nullptr : &i.interfaces.front();
  json disks = json::array();
  for (const BlockDevice& d : i.block_devices) {
    disks.push_back({{"device", d.device},
                     {"volume_id", d.volume_id},
                     {"state", ToString(d.state)},
                     {"attached_at", d.attached_at ? json(IsoTime(d.attached_at)) : json(nullptr)},
                     {"delete_on_termination", d.delete_on_termination},
                     {"instance_store", d.instance_store}});
  }
  auto field = [&](std::string NetworkInterface::*m) {
    return primary ? json(primary->*m) : json(nullptr);
  };
  return json{
      {"id", i.id},
      {"name", i.name},
      {"tenant_id", i.tenant_id},
      {"image_id", i.image_id},
      {"instance_type", i.instance_type},
      {"vcpus", i.vcpus},
      {"memory_mib", i.memory_mib},
      {"zone", i.zone.empty() ? json(nullptr) : json(i.zone)},
      {"host_id", i.host_id ? json(*i.host_id) : json(nullptr)},
      {"state", ToString(i.state)},
      {"state_reason", i.state_reason.empty() ? json(nullptr) : json(i.state_reason)},
      {"desired_state", ToString(i.desired_state)},
      {"placement_policy", i.placement_policy.empty() ? json(nullptr) : json(i.placement_policy)},
      {"tags", i.tags},
      {"vpc_id", field(&NetworkInterface::vpc_id)},
      {"subnet_id", field(&NetworkInterface::subnet_id)},
      {"private_ip", field(&NetworkInterface::private_ip)},
      {"mac", field(&NetworkInterface::mac)},
      {"network_interfaces", nics},
      {"public_ip", i.public_ip.empty() ? json(nullptr) : json(i.public_ip)},
      {"security_group_ids", groups},
      {"root_device_type", i.root_device_type()},
      {"block_devices", std::move(disks)},
      {"launch_index", i.launch_index},
      {"launched_at", IsoTime(i.launched_at)},
      {"updated_at", IsoTime(i.updated_at)}};
}

json ToJson(const Vpc& v) {
  return json{{"id", v.id},           {"tenant_id", v.tenant_id},
              {"cidr", v.cidr},       {"is_default", v.is_default},
              {"state", "available"}, {"created_at", IsoTime(v.created_at)},
              {"tags", v.tags}};
}

json ToJson(const Subnet& s) {
  // Usable = all but network, .1-.3 and broadcast.
  int64_t usable = (int64_t{1} << (32 - std::stoi(s.cidr.substr(s.cidr.find('/') + 1)))) - 5;
  return json{{"id", s.id},
              {"tenant_id", s.tenant_id},
              {"vpc_id", s.vpc_id},
              {"cidr", s.cidr},
              {"is_default", s.is_default},
              {"available_ip_address_count", usable - s.used_addresses},
              {"state", "available"},
              {"created_at", IsoTime(s.created_at)},
              {"tags", s.tags},
              {"map_public_ip_on_launch", s.map_public_ip_on_launch}};
}

json ToJson(const NetworkInterface& n) {
  return json{{"id", n.id},
              {"vpc_id", n.vpc_id},
              {"subnet_id", n.subnet_id},
              {"private_ip", n.private_ip},
              {"mac", n.mac}};
}

json ToJson(const Host& h) {
  return json{{"id", h.id},
              {"name", h.name},
              {"zone", h.zone},
              {"driver", h.driver},
              {"vcpus", h.vcpus},
              {"memory_mib", h.memory_mib},
              {"cpu_ratio", h.cpu_ratio},
              {"enabled", h.enabled},
              {"allocated_vcpus", h.allocated_vcpus},
              {"allocated_memory_mib", h.allocated_memory_mib},
              {"instance_count", h.instance_count},
              {"created_at", IsoTime(h.created_at)}};
}

json ToJson(const Tenant& t) {
  return json{{"id", t.id}, {"name", t.name}, {"created_at", IsoTime(t.created_at)}};
}

json ToJson(const User& u) {
  return json{{"id", u.id},
              {"name", u.name},
              {"tenant_id", u.tenant_id},
              {"role", ToString(u.role)},
              {"created_at", IsoTime(u.created_at)}};
}

json ToJson(const AccessKey& k) {
  return json{{"access_key_id", k.id},
              {"user_id", k.user_id},
              {"tenant_id", k.tenant_id},
              {"status", k.active ? "active" : "inactive"},
              {"created_at", IsoTime(k.created_at)}};
}

json ToJson(const NewAccessKey& k) {
  json j = ToJson(k.key);
  j["secret_access_key"] = k.secret;
  return j;
}

json ToJson(const Image& i) {
  return json{{"id", i.id},
              {"name", i.name},
              {"description", i.description},
              {"tenant_id", i.tenant_id},
              {"public", i.is_public},
              {"state", i.state},
              {"created_at", IsoTime(i.created_at)}};
}

json ToJson(const KeyPair& k) {
  return json{{"id", k.id},
              {"name", k.name},
              {"fingerprint", k.fingerprint},
              {"public_key", k.public_key},
              {"created_at", IsoTime(k.created_at)}};
}

}  // namespace strato::api
