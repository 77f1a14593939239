#pragma once
// Security groups and elastic IPs as the store keeps them. Plain records; the rules
// about them live in src/commands/security_group_commands.h and address_commands.h.

#include <cstdint>
#include <string>
#include <vector>

#include "core/model.h"

namespace strato {

// One permission of a group. A rule allows traffic matching protocol and port range
// from (ingress) or to (egress) either a CIDR or the members of another group.
struct SecurityGroupRule {
  std::string id;        // "sgr-…"
  std::string group_id;  // the group the rule belongs to
  bool egress = false;
  std::string protocol;  // "tcp" | "udp" | "icmp" | "all"
  int from_port = -1;    // tcp/udp: 0-65535; icmp/all: -1
  int to_port = -1;
  std::string cidr;             // exactly one of cidr and source_group_id is set
  std::string source_group_id;  // peer group ("sg-…")
  std::string description;
};

struct SecurityGroup {
  std::string id;  // "sg-…"
  std::string tenant_id;
  std::string vpc_id;
  std::string name;  // unique within its VPC; "default" for the VPC's default group
  std::string description;
  bool is_default = false;
  TimeMs created_at = 0;
  std::vector<SecurityGroupRule> rules;  // derived: loaded with the group
  std::map<std::string, std::string> tags;
};

// An elastic IP: a public address of the tenant, associated with at most one instance.
struct Address {
  std::string id;  // "eipalloc-…"
  std::string tenant_id;
  std::string public_ip;
  int64_t ip_num = 0;
  std::string instance_id;     // "" when not associated
  std::string association_id;  // "eipassoc-…" while associated
  bool auto_assigned = false;  // given at launch (map_public_ip_on_launch), released with it
  TimeMs created_at = 0;
  std::map<std::string, std::string> tags;
};

}  // namespace strato
