#pragma once
// Elastic-IP commands: public addresses of a tenant, mapped 1:1 (DNAT in, SNAT out) onto
// an instance's private address by its host's data plane.
//
// Rules:
// - Addresses come from CommandEnv::public_cidr (default 198.51.100.0/24); the network,
//   the first nine hosts (the public side's own and test clients') and the broadcast
//   address are never allocated. The lowest free address is taken.
// - An allocated address is recorded whether associated or not (it will be billed).
// - Associate: the address and the instance must both be the caller's; an instance has at
//   most one public address (an earlier one is disassociated) and an address already on
//   another instance is Resource.AlreadyAssociated unless reassociation is allowed.
// - Release: only when not associated (InvalidIPAddress.InUse).
// - A subnet with map_public_ip_on_launch gives each new instance an auto-assigned
//   address, released when the association ends or the instance is terminated.
// - An association with a terminated instance ends by itself (seen on the next read).
// Errors: InvalidAllocationID.NotFound / .Malformed, InvalidAssociationID.NotFound,
// InvalidInstanceID.NotFound, Resource.AlreadyAssociated, InvalidIPAddress.InUse,
// AddressLimitExceeded, IncorrectInstanceState.
// Thread-safety: stateless.

#include <string>
#include <vector>

#include "commands/command_env.h"
#include "core/security_group_model.h"

namespace strato {

class AddressCommands {
 public:
  explicit AddressCommands(CommandEnv& env) : env_(env) {}

  Result<Address> Allocate(const Principal& p,
                           const std::map<std::string, std::string>& tags = {});
  Result<std::vector<Address>> List(const Principal& p);
  Result<Address> Get(const Principal& p, const std::string& allocation_id);
  Result<Address> Associate(const Principal& p, const std::string& allocation_id,
                            const std::string& instance_id, bool allow_reassociation);
  // By allocation id ("eipalloc-…") or association id ("eipassoc-…").
  Result<Address> Disassociate(const Principal& p, const std::string& id);
  Status Release(const Principal& p, const std::string& allocation_id);
  Status SetMapPublicIpOnLaunch(const Principal& p, const std::string& subnet_id, bool on);
  Result<bool> GetMapPublicIpOnLaunch(const Principal& p, const std::string& subnet_id);

 private:
  Status EndStaleAssociations(const Principal& p);
  CommandEnv& env_;
};

// Inside RunInstances' transaction: auto-assigns public addresses when the subnet asks.
Status AssignPublicIpsOnLaunch(WriteTxn& t, const CommandEnv& env, const std::string& tenant_id,
                               const std::string& subnet_id,
                               std::vector<Instance>& instances);

}  // namespace strato
