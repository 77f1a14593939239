#pragma once
// VPC and subnet commands, and the private-address allocation RunInstances uses.
//
// Rules:
// - A VPC's CIDR is /16 to /28. Its subnets lie inside it, are /16 to /28, and do not
//   overlap each other. Different VPCs may use the same CIDR (they never meet).
// - Every tenant has a default VPC (172.16.0.0/12) with a default subnet (172.16.0.0/13),
//   created on first need, so `instance run` works with no network arguments. Being the
//   system's, they are larger than a user may create: 100,000-instance launches fit.
// - In a subnet the network address, the next three (gateway .1, DNS .2, reserved .3)
//   and the broadcast address are never given to an instance. Each instance gets one
//   interface: a free address (the lowest above the highest in use, else the lowest
//   gap) or the requested one, and a unique locally administered MAC. Addresses are
//   released when the instance is terminated.
// - A VPC with subnets, or a subnet with instances, cannot be deleted (DependencyViolation).
// Errors: InvalidParameterValue, MissingParameter, InvalidVpcID.NotFound / .Malformed,
// InvalidSubnetID.NotFound / .Malformed, InvalidSubnet.Range, InvalidSubnet.Conflict,
// InvalidVpc.Range, InvalidIPAddress.InUse, InsufficientFreeAddressesInSubnet,
// DependencyViolation.
// Thread-safety: stateless.

#include <optional>
#include <string>
#include <vector>

#include "commands/command_env.h"

namespace strato {

struct CreateSubnetInput {
  std::string vpc_id;
  std::string cidr;
  std::map<std::string, std::string> tags;
};

// Where an instance's NIC goes; all empty = the tenant's default subnet.
struct NicRequest {
  std::optional<std::string> subnet_id;
  std::optional<std::string> private_ip;
  std::vector<std::string> security_group_ids;  // empty: the VPC's default group
};

class NetworkCommands {
 public:
  explicit NetworkCommands(CommandEnv& env) : env_(env) {}

  Result<Vpc> CreateVpc(const Principal& p, const std::string& cidr,
                        const std::map<std::string, std::string>& tags = {});
  // Lists include the default VPC/subnet (created here if the tenant has none yet).
  Result<std::vector<Vpc>> ListVpcs(const Principal& p);
  Result<Vpc> GetVpc(const Principal& p, const std::string& id);
  Status DeleteVpc(const Principal& p, const std::string& id);

  Result<Subnet> CreateSubnet(const Principal& p, const CreateSubnetInput& in);
  Result<std::vector<Subnet>> ListSubnets(const Principal& p, std::optional<std::string> vpc_id);
  Result<Subnet> GetSubnet(const Principal& p, const std::string& id);
  Status DeleteSubnet(const Principal& p, const std::string& id);

 private:
  Status EnsureDefaults(const Principal& p);
  CommandEnv& env_;
};

// Checks the shape of a NicRequest (before any transaction).
Status ValidateNicRequest(const NicRequest& nic, int count);

// Inside RunInstances' transaction: gives each instance an interface per `nic` (creating
// the tenant's default VPC and subnet if needed), inserts them, fills
// Instance::interfaces, makes the instances members of their security groups and gives
// them a public address when the subnet maps one on launch.
Status AllocateInterfaces(WriteTxn& t, const CommandEnv& env, const std::string& tenant_id,
                          const NicRequest& nic, std::vector<Instance>& instances);

}  // namespace strato
