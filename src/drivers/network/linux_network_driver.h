#pragma once
// LinuxNetworkDriver: NetworkDriver on Linux namespaces, bridges, taps, dnsmasq and
// nftables (layout in network_driver.h and docs/network.md).
//
// Ownership: everything named "strato-<host_id>-*" in /run/netns and everything under
// `state_dir` belongs to this driver; Reconcile removes what of it is not desired and
// touches nothing else. Programs run through the injected CommandRunner (ip, dnsmasq);
// namespace-local work (tap fds, nftables) runs on threads that entered the namespace.
// Thread-safety: all methods serialize on one mutex.

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "drivers/network/command_runner.h"
#include "drivers/network/dnsmasq_supervisor.h"
#include "drivers/network/network_driver.h"

namespace strato {

struct LinuxNetworkOptions {
  std::string host_id;    // [A-Za-z0-9-], names the namespaces
  // dnsmasq files; created if missing, removed when the host has no VPC. dnsmasq runs as
  // "nobody": the path must be traversable by it (e.g. under /run, not a 0700 data dir).
  std::string state_dir;
  std::string dnsmasq_path = "dnsmasq";
  // Routed through the public veth of VPC namespaces with public addresses (elastic IPs
  // come from it). Only ever on Strato's own public bridge.
  std::string public_cidr = "198.51.100.0/24";
};

class LinuxNetworkDriver : public NetworkDriver {
 public:
  // InvalidParameterValue for a bad host id; InternalError if state_dir cannot be made.
  static Result<std::unique_ptr<LinuxNetworkDriver>> Create(LinuxNetworkOptions options,
                                                            CommandRunner& runner);

  Status Reconcile(const HostNetworkSpec& desired) override;
  Result<UniqueFd> OpenTap(const std::string& vpc_id, const std::string& port_id) override;
  Status RemoveAll() override;

  // Namespaces this host owns right now, by name.
  Result<std::set<std::string>> OwnedNamespaces() const;

 private:
  LinuxNetworkDriver(LinuxNetworkOptions options, CommandRunner& runner);
  Status ReconcileVpc(const VpcSpec& vpc);
  Status ReconcileLinks(const std::string& ns, const VpcSpec& vpc,
                        const std::vector<SubnetPlan>& plans);
  Status RemoveVpc(const std::string& vpc_id);
  // linux_network_public.cc: the public namespace and bridge, and a VPC's way onto it.
  std::string PublicNetns() const;
  Status ReconcilePublicNetns(bool wanted);
  Status ReconcilePublicLink(const std::string& ns, const VpcSpec& vpc);
  // Bridge ARP proxying and port isolation that route every guest packet through the
  // namespace's firewall (firewall_plan.h).
  Status IsolatePorts(const std::string& ns, const VpcSpec& vpc,
                      const std::vector<SubnetPlan>& plans);
  std::string VpcDir(const std::string& vpc_id) const { return options_.state_dir + "/" + vpc_id; }

  const LinuxNetworkOptions options_;
  CommandRunner& runner_;
  std::mutex mu_;
  DnsmasqSupervisor dnsmasq_;  // GUARDED_BY(mu_)
};

}  // namespace strato
