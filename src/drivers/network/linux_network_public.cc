// LinuxNetworkDriver: the public side (elastic IPs) and the port isolation that sends
// every guest packet through its VPC namespace's firewall.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "drivers/network/firewall_plan.h"
#include "drivers/network/linux_network_driver.h"
#include "drivers/network/network_plan.h"

namespace strato {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

Status Ip(CommandRunner& r, const std::string& ns, std::vector<std::string> args) {
  args.insert(args.begin(), {"ip", "-n", ns});
  return RunChecked(r, args).status();
}

// `ip -j -d link show` of one namespace as name → JSON object.
Result<std::map<std::string, json>> Links(CommandRunner& r, const std::string& ns) {
  STRATO_ASSIGN_OR_RETURN(auto out, RunChecked(r, {"ip", "-n", ns, "-j", "-d", "addr", "show"}));
  std::map<std::string, json> links;
  try {
    for (auto& j : json::parse(out)) links[j.value("ifname", "")] = j;
  } catch (const json::exception& e) {
    return Internal("cannot parse ip output for " + ns + ": " + e.what());
  }
  return links;
}

bool IsUp(const json& link) {
  for (const auto& f : link.value("flags", json::array()))
    if (f == "UP") return true;
  return false;
}

}  // namespace

std::string LinuxNetworkDriver::PublicNetns() const {
  return HostNetnsPrefix(options_.host_id) + "public";
}

Status LinuxNetworkDriver::ReconcilePublicNetns(bool wanted) {
  const std::string ns = PublicNetns();
  bool present = fs::exists("/run/netns/" + ns);
  if (!wanted) {
    if (!present) return OkStatus();
    return RunChecked(runner_, {"ip", "netns", "del", ns}).status();
  }
  if (!present) STRATO_RETURN_IF_ERROR(RunChecked(runner_, {"ip", "netns", "add", ns}).status());
  STRATO_ASSIGN_OR_RETURN(auto links, Links(runner_, ns));
  if (!links.count(kPublicBridge))
    STRATO_RETURN_IF_ERROR(Ip(runner_, ns, {"link", "add", kPublicBridge, "type", "bridge"}));
  if (!links.count(kPublicBridge) || !IsUp(links[kPublicBridge]))
    STRATO_RETURN_IF_ERROR(Ip(runner_, ns, {"link", "set", kPublicBridge, "up"}));
  if (!links.count("lo") || !IsUp(links["lo"]))
    STRATO_RETURN_IF_ERROR(Ip(runner_, ns, {"link", "set", "lo", "up"}));
  // Test clients and the like may hang off the bridge: nothing else here is removed.
  return OkStatus();
}

Status LinuxNetworkDriver::ReconcilePublicLink(const std::string& ns, const VpcSpec& vpc) {
  if (!HasPublicAddresses(vpc)) return OkStatus();  // ReconcileLinks removed any old veth
  const std::string pub_ns = PublicNetns();
  const std::string peer = "p" + vpc.id.substr(vpc.id.size() - 13);
  STRATO_ASSIGN_OR_RETURN(auto links, Links(runner_, ns));
  if (!links.count(kPublicVeth)) {
    // A half-made pair (crash) leaves the peer behind in the public namespace.
    (void)RunChecked(runner_, {"ip", "-n", pub_ns, "link", "del", peer});
    STRATO_RETURN_IF_ERROR(
        Ip(runner_, ns,
           {"link", "add", kPublicVeth, "type", "veth", "peer", "name", peer, "netns", pub_ns}));
    STRATO_ASSIGN_OR_RETURN(links, Links(runner_, ns));
  }
  STRATO_RETURN_IF_ERROR(Ip(runner_, pub_ns, {"link", "set", peer, "master", kPublicBridge, "up"}));
  if (!IsUp(links[kPublicVeth]))
    STRATO_RETURN_IF_ERROR(Ip(runner_, ns, {"link", "set", kPublicVeth, "up"}));
  // The public addresses live on the veth so the VPC namespace answers ARP for them.
  std::set<std::string> want, have;
  for (const auto& p : vpc.ports)
    if (!p.ip.empty() && !p.public_ip.empty()) want.insert(p.public_ip + "/32");
  for (const auto& a : links[kPublicVeth].value("addr_info", json::array()))
    if (a.value("family", "") == "inet")
      have.insert(a.value("local", "") + "/" + std::to_string(a.value("prefixlen", 0)));
  for (const auto& a : have)
    if (!want.count(a))
      STRATO_RETURN_IF_ERROR(Ip(runner_, ns, {"addr", "del", a, "dev", kPublicVeth}));
  for (const auto& a : want)
    if (!have.count(a))
      STRATO_RETURN_IF_ERROR(Ip(runner_, ns, {"addr", "add", a, "dev", kPublicVeth}));
  return Ip(runner_, ns, {"route", "replace", options_.public_cidr, "dev", kPublicVeth});
}

Status LinuxNetworkDriver::IsolatePorts(const std::string& ns, const VpcSpec& vpc,
                                        const std::vector<SubnetPlan>& plans) {
  // Guests of one subnet reach each other only through the namespace (routed, filtered):
  // the bridge answers their ARP and never tells them to go direct.
  std::vector<std::string> sysctl = {
      "ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.conf.all.send_redirects=0"};
  for (const auto& p : plans) {
    for (const char* key : {"proxy_arp=1", "proxy_arp_pvlan=1", "send_redirects=0"})
      sysctl.push_back("net.ipv4.conf." + p.bridge + "." + key);
    // Proxied ARP answers are otherwise delayed up to 0.8 s, per new neighbour.
    sysctl.push_back("net.ipv4.neigh." + p.bridge + ".proxy_delay=0");
  }
  STRATO_RETURN_IF_ERROR(RunChecked(runner_, sysctl).status());
  STRATO_ASSIGN_OR_RETURN(auto links, Links(runner_, ns));
  for (const auto& port : vpc.ports) {
    const std::string tap = TapName(port.id);
    bool isolated = false;
    if (links.count(tap) && links[tap].contains("linkinfo"))
      isolated =
          links[tap]["linkinfo"].value("info_slave_data", json::object()).value("isolated", false);
    if (!isolated)
      STRATO_RETURN_IF_ERROR(
          Ip(runner_, ns, {"link", "set", "dev", tap, "type", "bridge_slave", "isolated", "on"}));
  }
  return OkStatus();
}

}  // namespace strato
