#include "agent/firewall_messages.h"

namespace strato {

using nlohmann::json;

namespace {

json RulesToJson(const std::vector<FirewallRule>& rules) {
  json out = json::array();
  for (const auto& r : rules) {
    out.push_back({{"protocol", r.protocol},
                   {"from_port", r.from_port},
                   {"to_port", r.to_port},
                   {"cidrs", r.cidrs}});
  }
  return out;
}

std::vector<FirewallRule> RulesFromJson(const json& j) {
  std::vector<FirewallRule> out;
  for (const auto& r : j) {
    out.push_back(FirewallRule{r.at("protocol").get<std::string>(), r.at("from_port").get<int>(),
                               r.at("to_port").get<int>(),
                               r.at("cidrs").get<std::vector<std::string>>()});
  }
  return out;
}

}  // namespace

json PortFirewallToJson(const PortFirewall& f) {
  return {{"ingress", RulesToJson(f.ingress)}, {"egress", RulesToJson(f.egress)}};
}

PortFirewall PortFirewallFromJson(const json& j) {
  return PortFirewall{RulesFromJson(j.at("ingress")), RulesFromJson(j.at("egress"))};
}

}  // namespace strato
