#include "metadata/metadata_paths.h"

#include <ctime>
#include <nlohmann/json.hpp>
#include <set>
#include <string_view>

#include "core/dns_names.h"

namespace strato {
namespace {

std::string HostnameOf(const InstanceMetadata& m) {
  // The name the subnet's dnsmasq serves for this instance (docs/network.md).
  return PrivateDnsName(m.instance_id);
}

std::string Iso8601(TimeMs ms) {
  std::time_t s = ms / 1000;
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string JoinLines(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : "\n") + i;
  return out;
}

std::string SecurityGroups(const InstanceMetadata& m) {
  // Until security groups exist every instance is in its VPC's default group.
  return m.extras.security_groups.empty() ? "default" : JoinLines(m.extras.security_groups);
}

// The children of directory `dir` ("" = the root), or nullopt if it is not a directory.
std::optional<std::string> ListDirectory(const std::map<std::string, std::string>& leaves,
                                         const std::string& dir) {
  std::string prefix = dir.empty() ? "" : dir + "/";
  std::set<std::string> children;
  for (auto it = leaves.lower_bound(prefix); it != leaves.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    std::string rest = it->first.substr(prefix.size());
    size_t slash = rest.find('/');
    children.insert(slash == std::string::npos ? rest : rest.substr(0, slash + 1));
  }
  if (children.empty()) return std::nullopt;
  // A leaf and a directory of the same name ("public-keys/0" vs "public-keys/0/") both show.
  return JoinLines({children.begin(), children.end()});
}

}  // namespace

std::map<std::string, std::string> MetadataLeaves(const InstanceMetadata& m) {
  std::map<std::string, std::string> l;
  l["ami-id"] = m.image_id;
  l["ami-launch-index"] = std::to_string(m.launch_index);
  l["instance-id"] = m.instance_id;
  l["instance-type"] = m.instance_type;
  l["hostname"] = HostnameOf(m);
  l["local-hostname"] = HostnameOf(m);
  l["placement/availability-zone"] = m.zone;
  l["placement/region"] = m.region;
  l["security-groups"] = SecurityGroups(m);
  // As EC2 answers: "ami" and each "ebsN" (N from 1, data volumes in device order) name the
  // device without /dev/, "root" with it.
  l["block-device-mapping/ami"] = "vda";
  l["block-device-mapping/root"] = "/dev/vda";
  for (size_t k = 0; k < m.volume_devices.size(); ++k) {
    std::string_view device = m.volume_devices[k];
    if (device.substr(0, 5) == "/dev/") device.remove_prefix(5);
    l["block-device-mapping/ebs" + std::to_string(k + 1)] = std::string(device);
  }
  if (!m.extras.public_ipv4.empty()) {
    l["public-ipv4"] = m.extras.public_ipv4;
    l["public-hostname"] = m.extras.public_ipv4;
  }
  if (!m.interfaces.empty()) {
    l["local-ipv4"] = m.interfaces[0].private_ip;
    l["mac"] = m.interfaces[0].mac;
  }
  for (size_t k = 0; k < m.interfaces.size(); ++k) {
    const MetadataInterface& n = m.interfaces[k];
    std::string p = "network/interfaces/macs/" + n.mac + "/";
    l[p + "device-number"] = std::to_string(k);
    l[p + "interface-id"] = n.interface_id;
    l[p + "local-hostname"] = HostnameOf(m);
    l[p + "local-ipv4s"] = n.private_ip;
    l[p + "mac"] = n.mac;
    l[p + "owner-id"] = m.tenant_id;
    l[p + "security-groups"] = SecurityGroups(m);
    l[p + "subnet-id"] = n.subnet_id;
    l[p + "subnet-ipv4-cidr-block"] = n.subnet_cidr;
    l[p + "vpc-id"] = n.vpc_id;
    if (k == 0 && !m.extras.public_ipv4.empty()) l[p + "public-ipv4s"] = m.extras.public_ipv4;
  }
  if (!m.public_key.empty()) {
    l["public-keys/0/openssh-key"] = m.public_key;
  }
  return l;
}

std::optional<std::string> RenderMetadataPath(const InstanceMetadata& m, const std::string& path) {
  if (path == "/latest" || path == "/latest/") return "dynamic\nmeta-data\nuser-data";
  if (path == "/latest/user-data") {
    if (m.user_data.empty()) return std::nullopt;  // EC2: 404 when none was given
    return m.user_data;
  }
  if (path == "/latest/dynamic" || path == "/latest/dynamic/") return "instance-identity/";
  if (path == "/latest/dynamic/instance-identity" || path == "/latest/dynamic/instance-identity/")
    return "document";
  if (path == "/latest/dynamic/instance-identity/document") return InstanceIdentityDocument(m);

  const std::string root = "/latest/meta-data";
  if (path.compare(0, root.size(), root) != 0) return std::nullopt;
  std::string rel = path.substr(root.size());
  if (!rel.empty() && rel[0] != '/') return std::nullopt;
  while (!rel.empty() && rel.front() == '/') rel.erase(0, 1);
  bool as_dir = !rel.empty() && rel.back() == '/';
  while (!rel.empty() && rel.back() == '/') rel.pop_back();
  auto leaves = MetadataLeaves(m);
  // EC2 lists a key pair as "0=<name>" under public-keys/.
  if (rel == "public-keys" && !m.public_key.empty()) return "0=" + m.key_name;
  if (!as_dir) {
    auto it = leaves.find(rel);
    if (it != leaves.end()) return it->second;
  }
  return ListDirectory(leaves, rel);
}

std::string InstanceIdentityDocument(const InstanceMetadata& m) {
  nlohmann::ordered_json doc = {
      {"accountId", m.tenant_id},
      {"architecture", "x86_64"},
      {"availabilityZone", m.zone},
      {"imageId", m.image_id},
      {"instanceId", m.instance_id},
      {"instanceType", m.instance_type},
      {"pendingTime", Iso8601(m.launched_at)},
      {"privateIp", m.interfaces.empty() ? nlohmann::ordered_json(nullptr)
                                         : nlohmann::ordered_json(m.interfaces[0].private_ip)},
      {"region", m.region},
      {"version", "2017-09-30"}};
  return doc.dump(2);
}

}  // namespace strato
