#pragma once
// JSON form of a NIC's resolved firewall inside VmSpec messages (agent_messages.h):
//   {"ingress":[{"protocol":"tcp","from_port":22,"to_port":22,"cidrs":["10.0.0.0/8"]}…],
//    "egress":[…]}

#include <nlohmann/json.hpp>

#include "drivers/network/firewall_spec.h"

namespace strato {

nlohmann::json PortFirewallToJson(const PortFirewall& f);
// Throws nlohmann::json::exception on a malformed document (the caller's catch maps it).
PortFirewall PortFirewallFromJson(const nlohmann::json& j);

}  // namespace strato
