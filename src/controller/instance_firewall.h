#pragma once
// FirewallResolver: turns security groups, memberships and elastic IPs in the store into
// what each NIC's host enforces (VmNic::firewall, VmNic::public_ip).
//
// An instance's rules are the union of its groups' rules; a rule naming a peer group
// becomes one /32 per live member of that group in the VPC. A peer group with no members
// yields a rule with no CIDRs (it matches nothing). The VPC's data is loaded once per
// resolver and cached, so one resolver serves a whole resync.
// Thread-safety: not thread-safe; lives inside one read transaction.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "drivers/hypervisor/hypervisor_driver.h"
#include "store/store.h"

namespace strato {

class FirewallResolver {
 public:
  explicit FirewallResolver(ReadTxn& t) : t_(t) {}

  // Fills the firewall and public address of each of the spec's NICs.
  Status Fill(VmSpec& spec);

 private:
  struct VpcView {
    std::map<std::string, SecurityGroup> groups;                    // by id
    std::map<std::string, std::vector<std::string>> member_groups;  // instance → groups
    std::map<std::string, std::vector<std::string>> group_ips;      // group → member /32s
  };
  Result<const VpcView*> View(const std::string& vpc_id);
  Status LoadPublicIps();

  ReadTxn& t_;
  std::map<std::string, VpcView> vpcs_;
  bool public_loaded_ = false;
  std::map<std::string, std::string> public_ip_;  // instance → public address
};

}  // namespace strato
