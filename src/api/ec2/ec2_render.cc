#include "api/ec2/ec2_render.h"

#include <openssl/evp.h>

#include <algorithm>

#include "api/json_output.h"
#include "common/digest.h"
#include "core/dns_names.h"
#include "core/instance_types.h"
#include "core/volume_model.h"

namespace strato::api::ec2 {

int Ec2StateCode(InstanceState s) {
  switch (s) {
    case InstanceState::kPending: return 0;
    case InstanceState::kRunning: return 16;
    case InstanceState::kShuttingDown: return 32;
    case InstanceState::kTerminated: return 48;
    case InstanceState::kStopping: return 64;
    case InstanceState::kStopped: return 80;
  }
  return 0;
}

void WriteState(XmlWriter& x, std::string_view tag, InstanceState s) {
  x.Open(tag);
  x.Leaf("code", Ec2StateCode(s));
  x.Leaf("name", ToString(s));
  x.Close();
}

std::string ReservationId(const Instance& i) {
  return "r-" + Sha256Hex(i.tenant_id + "/" + std::to_string(i.launched_at)).substr(0, 17);
}

std::string Ec2Time(TimeMs ms) { return IsoTime(ms); }

std::string Base64(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

void WriteTagSet(XmlWriter& x, const std::map<std::string, std::string>& tags) {
  if (tags.empty()) return;
  x.Open("tagSet");
  for (const auto& [k, v] : tags) {
    x.Open("item");
    x.Leaf("key", k);
    x.Leaf("value", v);
    x.Close();
  }
  x.Close();
}

void WriteGroupSet(XmlWriter& x, const Instance& i) {
  if (i.security_groups.empty()) {
    x.Empty("groupSet");
    return;
  }
  x.Open("groupSet");
  for (const auto& g : i.security_groups) {
    x.Open("item");
    x.Leaf("groupId", g.id);
    x.Leaf("groupName", g.name);
    x.Close();
  }
  x.Close();
}

void WriteNetworkInterfaces(XmlWriter& x, const Instance& i) {
  if (i.interfaces.empty()) return;  // terminated: its addresses are released
  const NetworkInterface& primary = i.interfaces.front();
  x.Leaf("privateIpAddress", primary.private_ip);
  if (!i.public_ip.empty()) x.Leaf("ipAddress", i.public_ip);
  x.Leaf("subnetId", primary.subnet_id);
  x.Leaf("vpcId", primary.vpc_id);
  x.Leaf("sourceDestCheck", true);
  x.Open("networkInterfaceSet");
  for (size_t n = 0; n < i.interfaces.size(); ++n) {
    const NetworkInterface& nic = i.interfaces[n];
    x.Open("item");
    x.Leaf("networkInterfaceId", nic.id);
    x.Leaf("subnetId", nic.subnet_id);
    x.Leaf("vpcId", nic.vpc_id);
    x.Leaf("ownerId", nic.tenant_id);
    x.Leaf("status", "in-use");
    x.Leaf("macAddress", nic.mac);
    x.Leaf("privateIpAddress", nic.private_ip);
    if (n == 0) x.Leaf("privateDnsName", PrivateDnsName(i.id));
    x.Leaf("sourceDestCheck", true);
    WriteGroupSet(x, i);
    // The elastic IP maps to the primary interface's address.
    if (n == 0 && !i.public_ip.empty()) {
      x.Open("association");
      x.Leaf("publicIp", i.public_ip);
      x.Empty("publicDnsName");
      x.Leaf("ipOwnerId", i.tenant_id);
      x.Close();
    }
    x.Open("attachment");
    x.Leaf("attachmentId", "eni-attach-" + nic.id.substr(4));
    x.Leaf("deviceIndex", static_cast<int64_t>(n));
    x.Leaf("status", "attached");
    x.Leaf("attachTime", Ec2Time(nic.created_at));
    x.Leaf("deleteOnTermination", true);
    x.Close();
    x.Open("privateIpAddressesSet");
    x.Open("item");
    x.Leaf("privateIpAddress", nic.private_ip);
    if (n == 0) x.Leaf("privateDnsName", PrivateDnsName(i.id));
    x.Leaf("primary", true);
    x.Close();
    x.Close();
    x.Leaf("interfaceType", "interface");
    x.Close();
  }
  x.Close();
}

// The volumes attached to the instance, root first, as EC2 lists them.
void WriteBlockDeviceMapping(XmlWriter& x, const Instance& i) {
  if (std::none_of(i.block_devices.begin(), i.block_devices.end(),
                   [](const BlockDevice& d) { return !d.instance_store; })) {
    x.Empty("blockDeviceMapping");
    return;
  }
  x.Open("blockDeviceMapping");
  for (const BlockDevice& d : i.block_devices) {
    if (d.instance_store) continue;  // part of the instance, not an EBS volume (as in EC2)
    x.Open("item");
    x.Leaf("deviceName", d.device);
    x.Open("ebs");
    x.Leaf("volumeId", d.volume_id);
    x.Leaf("status", ToString(d.state));
    x.Leaf("attachTime", Ec2Time(d.attached_at ? d.attached_at : i.launched_at));
    x.Leaf("deleteOnTermination", d.delete_on_termination);
    x.Close();
    x.Close();
  }
  x.Close();
}


void WriteInstance(XmlWriter& x, const Instance& i) {
  x.Open("item");
  x.Leaf("instanceId", i.id);
  x.Leaf("imageId", i.image_id);
  WriteState(x, "instanceState", i.state);
  // A terminated instance has released its interfaces, and with them its name.
  x.Leaf("privateDnsName", i.interfaces.empty() ? "" : PrivateDnsName(i.id));
  x.Empty("dnsName");
  x.Leaf("reason", i.state_reason);
  x.Leaf("amiLaunchIndex", i.launch_index);
  x.Empty("productCodes");
  x.Leaf("instanceType", i.instance_type);
  x.Leaf("launchTime", Ec2Time(i.launched_at));
  x.Open("placement");
  x.Leaf("availabilityZone", i.zone);
  x.Empty("groupName");
  x.Leaf("tenancy", "default");
  x.Close();
  x.Open("monitoring");
  x.Leaf("state", "disabled");
  x.Close();
  WriteGroupSet(x, i);
  if (!i.state_reason.empty()) {
    // "Client.UserInitiatedShutdown: User initiated shutdown" -> code and message.
    auto colon = i.state_reason.find(": ");
    x.Open("stateReason");
    x.Leaf("code", colon == std::string::npos ? i.state_reason : i.state_reason.substr(0, colon));
    x.Leaf("message", i.state_reason);
    x.Close();
  }
  x.Leaf("architecture", "x86_64");
  x.Leaf("rootDeviceType", i.root_device_type());
  x.Leaf("rootDeviceName", kRootDeviceName);
  WriteBlockDeviceMapping(x, i);
  x.Leaf("virtualizationType", "hvm");
  WriteNetworkInterfaces(x, i);
  WriteTagSet(x, i.tags);
  x.Open("cpuOptions");
  x.Leaf("coreCount", i.vcpus);
  x.Leaf("threadsPerCore", 1);
  x.Close();
  x.Close();
}

}  // namespace strato::api::ec2
