#pragma once
// JSON forms of security groups, their rules and elastic IPs for the native API, and the
// strict reading of rule lists from request bodies.

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "commands/security_group_commands.h"
#include "common/status.h"
#include "core/security_group_model.h"

namespace strato::api {

nlohmann::json ToJson(const SecurityGroupRule& r);
nlohmann::json ToJson(const SecurityGroup& g);
nlohmann::json ToJson(const Address& a);

// {"rules":[{"protocol","from_port","to_port","cidr"|"source_group_id","description"}…]}:
// every failure is a 4xx naming the rule.
Result<std::vector<RuleInput>> ParseRulesBody(std::string_view body);

}  // namespace strato::api
