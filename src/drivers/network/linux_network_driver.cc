#include "drivers/network/linux_network_driver.h"

#include <signal.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/ids.h"
#include "drivers/network/firewall_plan.h"
#include "drivers/network/netns.h"
#include "drivers/network/network_plan.h"

namespace strato {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// One interface as `ip -j -d addr show` describes it.
struct Link {
  std::string kind;    // "bridge", "tun", "" for lo and others
  std::string master;  // bridge it is enslaved to
  bool up = false;
  std::set<std::string> addrs;  // "10.0.1.1/24"
};

Result<std::map<std::string, Link>> ListLinks(CommandRunner& r, const std::string& ns) {
  STRATO_ASSIGN_OR_RETURN(auto out, RunChecked(r, {"ip", "-n", ns, "-j", "-d", "addr", "show"}));
  std::map<std::string, Link> links;
  try {
    for (const auto& j : json::parse(out)) {
      Link l;
      if (j.contains("linkinfo")) l.kind = j["linkinfo"].value("info_kind", "");
      l.master = j.value("master", "");
      for (const auto& f : j.value("flags", json::array()))
        if (f == "UP") l.up = true;
      for (const auto& a : j.value("addr_info", json::array()))
        if (a.value("family", "") == "inet")
          l.addrs.insert(a.value("local", "") + "/" + std::to_string(a.value("prefixlen", 0)));
      links[j.value("ifname", "")] = std::move(l);
    }
  } catch (const json::exception& e) {
    return Internal("cannot parse ip output for " + ns + ": " + e.what());
  }
  return links;
}

}  // namespace

LinuxNetworkDriver::LinuxNetworkDriver(LinuxNetworkOptions options, CommandRunner& runner)
    : options_(std::move(options)), runner_(runner), dnsmasq_(runner, options_.dnsmasq_path) {}

Result<std::unique_ptr<LinuxNetworkDriver>> LinuxNetworkDriver::Create(LinuxNetworkOptions options,
                                                                       CommandRunner& runner) {
  STRATO_RETURN_IF_ERROR(ValidateHostId(options.host_id));
  std::error_code ec;
  fs::create_directories(options.state_dir, ec);
  if (ec) return Internal("cannot create " + options.state_dir + ": " + ec.message());
  return std::unique_ptr<LinuxNetworkDriver>(new LinuxNetworkDriver(std::move(options), runner));
}

Result<std::set<std::string>> LinuxNetworkDriver::OwnedNamespaces() const {
  std::set<std::string> names;
  std::string prefix = HostNetnsPrefix(options_.host_id);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/run/netns", ec)) {
    std::string n = e.path().filename();
    // Only "<prefix>vpc-…": a host id that is a prefix of another's never matches it.
    if (n.rfind(prefix + "vpc-", 0) == 0) names.insert(n);
  }
  return names;
}

Status LinuxNetworkDriver::Reconcile(const HostNetworkSpec& desired) {
  STRATO_RETURN_IF_ERROR(ValidateSpec(desired));
  std::lock_guard lock(mu_);
  std::set<std::string> wanted;
  Status first_error = ReconcilePublicNetns(!desired.vpcs.empty());
  for (const auto& vpc : desired.vpcs) {
    wanted.insert(vpc.id);
    // One VPC failing must not stop the others from converging.
    Status s = ReconcileVpc(vpc);
    if (!s.ok() && first_error.ok()) first_error = s;
  }
  STRATO_ASSIGN_OR_RETURN(auto owned, OwnedNamespaces());
  std::string prefix = HostNetnsPrefix(options_.host_id);
  std::set<std::string> strays;
  for (const auto& ns : owned) strays.insert(ns.substr(prefix.size()));
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(options_.state_dir, ec))
    if (e.is_directory()) strays.insert(e.path().filename());
  for (const auto& vpc_id : strays) {
    if (wanted.count(vpc_id)) continue;
    Status s = RemoveVpc(vpc_id);
    if (!s.ok() && first_error.ok()) first_error = s;
  }
  if (wanted.empty() && first_error.ok()) fs::remove(options_.state_dir, ec);  // only if empty
  return first_error;
}

Status LinuxNetworkDriver::ReconcileVpc(const VpcSpec& vpc) {
  std::string ns = VpcNetnsName(options_.host_id, vpc.id);
  if (!fs::exists("/run/netns/" + ns))
    STRATO_RETURN_IF_ERROR(RunChecked(runner_, {"ip", "netns", "add", ns}).status());
  // Every step below is idempotent, so a crash between any two of them heals next time.
  STRATO_RETURN_IF_ERROR(
      RunChecked(runner_, {"ip", "netns", "exec", ns, "sysctl", "-qw", "net.ipv4.ip_forward=1"})
          .status());
  std::vector<SubnetPlan> plans;
  for (const auto& s : vpc.subnets) plans.push_back(*PlanSubnet(s));
  STRATO_RETURN_IF_ERROR(ReconcileLinks(ns, vpc, plans));
  STRATO_RETURN_IF_ERROR(IsolatePorts(ns, vpc, plans));
  STRATO_RETURN_IF_ERROR(ReconcilePublicLink(ns, vpc));
  STRATO_RETURN_IF_ERROR(ApplyNftInNetns(ns, RenderVpcRuleset(plans, vpc)));

  std::string dir = VpcDir(vpc.id);
  std::error_code ec;
  fs::create_directories(dir, ec);
  // World-traversable whatever the umask: dnsmasq reads its hosts file as "nobody".
  fs::permissions(options_.state_dir,
                  fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec, ec);
  fs::permissions(dir, fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec, ec);
  if (ec) return Internal("cannot create " + dir + ": " + ec.message());
  std::set<std::string> subnets;
  for (size_t i = 0; i < plans.size(); ++i) {
    subnets.insert(plans[i].id);
    STRATO_RETURN_IF_ERROR(dnsmasq_.Ensure(ns, dir, plans[i], RenderDhcpHosts(vpc.subnets[i])));
  }
  // dnsmasqs of subnets no longer here, found by their files.
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string id = e.path().stem();
    if (e.path().extension() == ".hosts" && !subnets.count(id))
      STRATO_RETURN_IF_ERROR(dnsmasq_.Stop(dir, id));
  }
  // Any other dnsmasq in our namespace is a stray (e.g. one whose files were lost). Other
  // processes (a diagnostic shell, a test client) are left alone.
  STRATO_ASSIGN_OR_RETURN(auto pids, RunChecked(runner_, {"ip", "netns", "pids", ns}));
  std::set<pid_t> ours;
  for (const auto& s : subnets) ours.insert(dnsmasq_.RunningPid(dir, s));
  std::istringstream in(pids);
  for (pid_t p; in >> p;) {
    std::string comm;
    std::ifstream(std::string("/proc/") + std::to_string(p) + "/comm") >> comm;
    if (comm == "dnsmasq" && !ours.count(p)) ::kill(p, SIGKILL);
  }
  return OkStatus();
}

Status LinuxNetworkDriver::ReconcileLinks(const std::string& ns, const VpcSpec& vpc,
                                          const std::vector<SubnetPlan>& plans) {
  STRATO_ASSIGN_OR_RETURN(auto links, ListLinks(runner_, ns));
  auto ip = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"ip", "-n", ns});
    return RunChecked(runner_, args).status();
  };
  std::map<std::string, std::string> want;  // device -> master ("" for bridges)
  if (!links["lo"].up) STRATO_RETURN_IF_ERROR(ip({"link", "set", "lo", "up"}));
  for (const auto& p : plans) {
    want[p.bridge] = "";
    auto it = links.find(p.bridge);
    if (it != links.end() && it->second.kind != "bridge") {
      STRATO_RETURN_IF_ERROR(ip({"link", "del", p.bridge}));
      it = links.end();
    }
    if (it == links.end()) {
      STRATO_RETURN_IF_ERROR(ip({"link", "add", p.bridge, "type", "bridge"}));
      it = links.emplace(p.bridge, Link{.kind = "bridge"}).first;
    }
    std::string gw = p.gateway + "/" + std::to_string(p.cidr.prefix_len());
    for (const auto& a : it->second.addrs)
      if (a != gw) STRATO_RETURN_IF_ERROR(ip({"addr", "del", a, "dev", p.bridge}));
    if (!it->second.addrs.count(gw))
      STRATO_RETURN_IF_ERROR(ip({"addr", "add", gw, "dev", p.bridge}));
    if (!it->second.up) STRATO_RETURN_IF_ERROR(ip({"link", "set", p.bridge, "up"}));
  }
  for (const auto& port : vpc.ports) {
    std::string tap = TapName(port.id), bridge = BridgeName(port.subnet_id);
    want[tap] = bridge;
    auto it = links.find(tap);
    if (it != links.end() && it->second.kind != "tun") {
      STRATO_RETURN_IF_ERROR(ip({"link", "del", tap}));
      it = links.end();
    }
    if (it == links.end()) {
      STRATO_RETURN_IF_ERROR(ip({"tuntap", "add", "dev", tap, "mode", "tap"}));
      it = links.emplace(tap, Link{.kind = "tun"}).first;
    }
    if (it->second.master != bridge)
      STRATO_RETURN_IF_ERROR(ip({"link", "set", tap, "master", bridge}));
    if (!it->second.up) STRATO_RETURN_IF_ERROR(ip({"link", "set", tap, "up"}));
  }
  if (HasPublicAddresses(vpc)) want[kPublicVeth] = "";
  // The namespace is ours alone: every other interface is a stray.
  for (const auto& [name, link] : links)
    if (name != "lo" && !want.count(name)) STRATO_RETURN_IF_ERROR(ip({"link", "del", name}));
  return OkStatus();
}

Status LinuxNetworkDriver::RemoveVpc(const std::string& vpc_id) {
  std::string ns = VpcNetnsName(options_.host_id, vpc_id);
  std::string dir = VpcDir(vpc_id);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".hosts")
      STRATO_RETURN_IF_ERROR(dnsmasq_.Stop(dir, e.path().stem()));
  if (fs::exists("/run/netns/" + ns)) {
    STRATO_ASSIGN_OR_RETURN(auto pids, RunChecked(runner_, {"ip", "netns", "pids", ns}));
    std::istringstream in(pids);
    for (pid_t p; in >> p;) ::kill(p, SIGKILL);
    STRATO_RETURN_IF_ERROR(RunChecked(runner_, {"ip", "netns", "del", ns}).status());
  }
  fs::remove_all(dir, ec);
  if (ec) return Internal("cannot remove " + dir + ": " + ec.message());
  return OkStatus();
}

Result<UniqueFd> LinuxNetworkDriver::OpenTap(const std::string& vpc_id,
                                             const std::string& port_id) {
  if (!IsResourceId(vpc_id, "vpc")) return InvalidParameter("bad VPC id '" + vpc_id + "'");
  if (port_id.size() < 14) return InvalidParameter("bad port id '" + port_id + "'");
  std::lock_guard lock(mu_);
  return OpenTapInNetns(VpcNetnsName(options_.host_id, vpc_id), TapName(port_id));
}

Status LinuxNetworkDriver::RemoveAll() { return Reconcile(HostNetworkSpec{}); }

}  // namespace strato
