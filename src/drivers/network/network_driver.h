#pragma once
// NetworkDriver: makes one host's data plane match a desired description.
//
// What "a host's data plane" is (see docs/network.md):
// - one network namespace per VPC present on the host, named "strato-<host>-<vpc-id>".
//   A VPC per namespace (not one namespace per host) because two VPCs may use identical
//   CIDRs and there is no VRF on every kernel we run on: separate namespaces give each
//   VPC its own routing table, so nothing can route between them, not even by mistake.
// - in it, one Linux bridge per subnet ("b" + 13 hex digits of the subnet id) carrying
//   the gateway address (first host of the subnet); forwarding is on inside the
//   namespace so subnets of one VPC reach each other, as in EC2.
// - one persistent tap per guest port ("t" + 13 hex digits of the port id), created in
//   the VPC namespace and enslaved to its subnet's bridge. QEMU stays in the machine's
//   namespace and receives an fd opened inside the VPC namespace (OpenTap), so the
//   machine's own namespace never gains an interface.
// - one supervised dnsmasq per subnet, bound to the bridge, serving static MAC->IP
//   entries only (no dynamic pool) and answering DNS from its own entries with no
//   upstream server.
// - one nftables table "inet strato" per namespace, replaced atomically by libnftables.
//
// Reconcile(desired) converges: missing namespaces/bridges/taps/dnsmasqs are created,
// changed DHCP entries are rewritten and dnsmasq reloaded (SIGHUP), a dead dnsmasq is
// restarted, and everything this host owns that is not desired is removed. It is
// idempotent and safe to call periodically and after a crash of stratod.
// Thread-safety: implementations serialize calls internally; callers may call from any
// thread.

#include <string>
#include <vector>

#include "common/status.h"
#include "drivers/network/firewall_spec.h"

namespace strato {

struct DhcpHostSpec {
  std::string mac;       // "52:54:00:xx:xx:xx"
  std::string ip;        // inside the subnet
  std::string hostname;  // optional; served by the subnet's DNS
};

struct SubnetSpec {
  std::string id;    // "subnet-<17 hex>"
  std::string cidr;  // "10.0.1.0/24", /8 to /28
  std::vector<DhcpHostSpec> hosts;
};

struct PortSpec {
  std::string id;         // the owner, e.g. an instance id "i-<17 hex>"
  std::string subnet_id;  // one of the VPC's subnets
  // The guest's addresses. With `ip` set the port is filtered (firewall_plan.h): it may
  // only send from `mac`/`ip`, and new connections pass only as `firewall` allows.
  std::string mac;
  std::string ip;
  std::string public_ip;  // 1:1 NAT on the host's public bridge, "" for none
  PortFirewall firewall;
};

struct VpcSpec {
  std::string id;  // "vpc-<17 hex>"
  std::vector<SubnetSpec> subnets;
  std::vector<PortSpec> ports;
};

struct HostNetworkSpec {
  std::vector<VpcSpec> vpcs;
};

// The host's public side: bridge "bpublic" in namespace "strato-<host>-public", present
// while the host has any VPC, never connected to a real interface. Each VPC namespace
// with public addresses joins it by a veth pair ("pub" inside the VPC namespace).
inline constexpr char kPublicBridge[] = "bpublic";

// A file descriptor closed on destruction.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.Release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept;
  ~UniqueFd();
  int get() const { return fd_; }
  int Release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }

 private:
  int fd_ = -1;
};

class NetworkDriver {
 public:
  virtual ~NetworkDriver() = default;

  // Errors: InvalidParameterValue for a malformed spec (nothing changed); InternalError
  // when the OS refused a step (the next Reconcile retries).
  virtual Status Reconcile(const HostNetworkSpec& desired) = 0;

  // A tap fd for QEMU (-netdev tap,fd=N) attached to the port's tap inside its VPC
  // namespace. The port must exist (Reconcile first). The caller owns the fd.
  virtual Result<UniqueFd> OpenTap(const std::string& vpc_id, const std::string& port_id) = 0;

  // Removes everything this host owns: namespaces, dnsmasqs, state files.
  virtual Status RemoveAll() = 0;
};

}  // namespace strato
