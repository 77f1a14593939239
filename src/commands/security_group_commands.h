#pragma once
// Security-group commands: groups of stateful firewall rules attached to instances.
//
// Rules:
// - A group belongs to one VPC (the tenant's default VPC when none is named); its name
//   is unique in the VPC. Every VPC has a "default" group, created on first need: all
//   egress allowed, ingress only from members of the same group. A new group starts
//   with "all egress allowed", as on EC2.
// - A rule: protocol tcp | udp | icmp | all ("-1" and the numbers 6/17/1 are accepted),
//   a port range (tcp/udp: 0 <= from <= to <= 65535; icmp/all: none), and exactly one
//   peer: a CIDR or a group of the same VPC. Authorizing a rule that exists is
//   InvalidPermission.Duplicate; revoking one that does not is InvalidPermission.NotFound.
//   At most 60 rules per direction.
// - An instance has 1 to 5 groups of its VPC, given at launch (else the VPC's default
//   group) and changeable while it exists.
// - The default group cannot be deleted (CannotDelete); a group used by a live instance
//   or named as a peer by another group's rule cannot either (DependencyViolation).
// - Every change wakes the instance controller for the VPC's instances, which sends the
//   resolved rules to their hosts: changes apply live.
// Errors: InvalidParameterValue, MissingParameter, InvalidGroup.NotFound / .Malformed /
// .Duplicate, InvalidPermission.Duplicate / .NotFound, RulesPerSecurityGroupLimitExceeded,
// SecurityGroupsPerInstanceLimitExceeded, CannotDelete, DependencyViolation,
// InvalidInstanceID.NotFound, IncorrectInstanceState.
// Thread-safety: stateless.

#include <optional>
#include <string>
#include <vector>

#include "commands/command_env.h"
#include "core/security_group_model.h"

namespace strato {

inline constexpr size_t kMaxGroupsPerInstance = 5;

struct CreateSecurityGroupInput {
  std::optional<std::string> vpc_id;
  std::string name;
  std::string description;
  std::map<std::string, std::string> tags;
};

// One permission as a client states it; validated and normalized by the commands.
struct RuleInput {
  std::string protocol;
  std::optional<int> from_port;
  std::optional<int> to_port;
  std::optional<std::string> cidr;
  std::optional<std::string> source_group_id;
  std::string description;
};

class SecurityGroupCommands {
 public:
  explicit SecurityGroupCommands(CommandEnv& env) : env_(env) {}

  Result<SecurityGroup> Create(const Principal& p, const CreateSecurityGroupInput& in);
  // The tenant's groups (default groups of its VPCs included), optionally of one VPC.
  Result<std::vector<SecurityGroup>> List(const Principal& p, std::optional<std::string> vpc_id);
  Result<SecurityGroup> Get(const Principal& p, const std::string& id);
  Status Delete(const Principal& p, const std::string& id);
  // Adds (authorize) or removes (revoke) rules all at once, or not at all.
  Result<SecurityGroup> Authorize(const Principal& p, const std::string& id, bool egress,
                                  const std::vector<RuleInput>& rules);
  Result<SecurityGroup> Revoke(const Principal& p, const std::string& id, bool egress,
                               const std::vector<RuleInput>& rules);
  // Replaces a live instance's groups.
  Result<std::vector<std::string>> SetInstanceGroups(const Principal& p,
                                                     const std::string& instance_id,
                                                     const std::vector<std::string>& group_ids);
  Result<std::vector<std::string>> InstanceGroups(const Principal& p,
                                                  const std::string& instance_id);

 private:
  Result<SecurityGroup> ChangeRules(const Principal& p, const std::string& id, bool egress,
                                    const std::vector<RuleInput>& rules, bool add);
  // Wakes the controller for every live instance of the VPC.
  void KickVpc(const std::string& vpc_id);
  CommandEnv& env_;
};

// Shape of a launch's group list (before any transaction): at most 5, well-formed, unique.
Status ValidateSecurityGroupIds(const std::vector<std::string>& ids);

// Inside RunInstances' transaction, after the interfaces were allocated: makes each
// instance a member of `group_ids` (which must be the tenant's, in the instances' VPC), or
// of the VPC's default group (created if needed) when the list is empty; sets each
// instance's `security_groups` as a later read would.
Status AssignSecurityGroups(WriteTxn& t, const CommandEnv& env, const std::string& tenant_id,
                            const std::vector<std::string>& group_ids,
                            std::vector<Instance>& instances);

// The VPC's default group, created in the caller's transaction if missing.
Result<SecurityGroup> EnsureDefaultSecurityGroup(WriteTxn& t, const CommandEnv& env,
                                                 const std::string& tenant_id,
                                                 const std::string& vpc_id);

}  // namespace strato
