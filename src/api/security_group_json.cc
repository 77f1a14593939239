#include "api/security_group_json.h"

#include "api/json_input.h"

namespace strato::api {

using nlohmann::json;

json ToJson(const SecurityGroupRule& r) {
  json j{{"id", r.id},
         {"direction", r.egress ? "egress" : "ingress"},
         {"protocol", r.protocol},
         {"description", r.description}};
  if (r.from_port >= 0) {
    j["from_port"] = r.from_port;
    j["to_port"] = r.to_port;
  }
  if (!r.cidr.empty()) j["cidr"] = r.cidr;
  if (!r.source_group_id.empty()) j["source_group_id"] = r.source_group_id;
  return j;
}

json ToJson(const SecurityGroup& g) {
  json ingress = json::array(), egress = json::array();
  for (const auto& r : g.rules) (r.egress ? egress : ingress).push_back(ToJson(r));
  return {{"id", g.id},
          {"vpc_id", g.vpc_id},
          {"name", g.name},
          {"description", g.description},
          {"is_default", g.is_default},
          {"ingress", ingress},
          {"egress", egress},
          {"created_at", g.created_at},
          {"tags", g.tags}};
}

json ToJson(const Address& a) {
  return {{"id", a.id},
          {"public_ip", a.public_ip},
          {"instance_id", a.instance_id.empty() ? json(nullptr) : json(a.instance_id)},
          {"association_id", a.association_id.empty() ? json(nullptr) : json(a.association_id)},
          {"auto_assigned", a.auto_assigned},
          {"created_at", a.created_at},
          {"tags", a.tags}};
}

Result<std::vector<RuleInput>> ParseRulesBody(std::string_view body) {
  STRATO_RETURN_IF_ERROR(JsonInput::Parse(body, {"rules"}).status());
  json j = json::parse(body.empty() ? std::string_view("{}") : body);
  if (!j.contains("rules")) return MissingParameter("'rules' is required.");
  if (!j["rules"].is_array() || j["rules"].empty())
    return InvalidParameter("'rules' must be a non-empty list of rule objects.");
  std::vector<RuleInput> out;
  for (const auto& rule : j["rules"]) {
    if (!rule.is_object()) return InvalidParameter("Each entry of 'rules' must be an object.");
    STRATO_ASSIGN_OR_RETURN(
        auto in, JsonInput::Parse(rule.dump(), {"protocol", "from_port", "to_port", "cidr",
                                                "source_group_id", "description"}));
    RuleInput r;
    STRATO_ASSIGN_OR_RETURN(r.protocol, in.RequiredString("protocol"));
    STRATO_ASSIGN_OR_RETURN(auto from, in.Int("from_port", -1, 65535));
    STRATO_ASSIGN_OR_RETURN(auto to, in.Int("to_port", -1, 65535));
    if (from) r.from_port = static_cast<int>(*from);
    if (to) r.to_port = static_cast<int>(*to);
    STRATO_ASSIGN_OR_RETURN(r.cidr, in.String("cidr"));
    STRATO_ASSIGN_OR_RETURN(r.source_group_id, in.String("source_group_id"));
    STRATO_ASSIGN_OR_RETURN(auto d, in.String("description"));
    r.description = d.value_or("");
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace strato::api
