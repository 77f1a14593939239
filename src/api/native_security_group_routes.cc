// Security-group and elastic-IP routes of the native API.
#include "api/json_input.h"
#include "api/native_api.h"
#include "api/query_input.h"
#include "api/security_group_json.h"
#include "commands/address_commands.h"
#include "commands/security_group_commands.h"

namespace strato::api {

using nlohmann::json;

namespace {

json GroupList(const std::vector<SecurityGroup>& groups) {
  json list = json::array();
  for (const auto& g : groups) list.push_back(ToJson(g));
  return list;
}

}  // namespace

void NativeApi::AddSecurityGroupRoutes() {
  Add("POST", "/v1/security-groups",
      [this](http::Request& req, const PathParams&, const Principal& p) {
        auto in = JsonInput::Parse(req.body, {"name", "description", "vpc_id", "tags"});
        if (!in.ok()) return ErrorResponse(in.status(), req);
        CreateSecurityGroupInput c;
        auto name = in->RequiredString("name");
        auto desc = in->String("description");
        auto vpc = in->String("vpc_id");
        auto tags = in->StringMap("tags");
        for (const Status* s : {&name.status(), &desc.status(), &vpc.status(), &tags.status()})
          if (!s->ok()) return ErrorResponse(*s, req);
        c.name = *name;
        c.description = desc->value_or("");
        c.vpc_id = *vpc;
        c.tags = *tags;
        auto out = SecurityGroupCommands(*d_.env).Create(p, c);
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(201, ToJson(*out));
      });
  Add("GET", "/v1/security-groups",
      [this](http::Request& req, const PathParams&, const Principal& p) {
        auto q = req.QueryParams();
        Status s = CheckQueryParams(q, {"vpc_id"});
        if (!s.ok()) return ErrorResponse(s, req);
        std::optional<std::string> vpc;
        if (q.count("vpc_id")) vpc = q["vpc_id"];
        auto out = SecurityGroupCommands(*d_.env).List(p, vpc);
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(200, {{"security_groups", GroupList(*out)}});
      });
  Add("GET", "/v1/security-groups/{id}",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto out = SecurityGroupCommands(*d_.env).Get(p, pp.at("id"));
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(200, ToJson(*out));
      });
  Add("DELETE", "/v1/security-groups/{id}",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        Status s = SecurityGroupCommands(*d_.env).Delete(p, pp.at("id"));
        if (!s.ok()) return ErrorResponse(s, req);
        return JsonResponse(204, nullptr);
      });
  for (const char* direction : {"ingress", "egress"}) {
    for (bool add : {true, false}) {
      std::string path =
          std::string("/v1/security-groups/{id}/") + (add ? "authorize-" : "revoke-") + direction;
      bool egress = std::string(direction) == "egress";
      Add("POST", path.c_str(),
          [this, egress, add](http::Request& req, const PathParams& pp, const Principal& p) {
            auto rules = ParseRulesBody(req.body);
            if (!rules.ok()) return ErrorResponse(rules.status(), req);
            SecurityGroupCommands c(*d_.env);
            auto out = add ? c.Authorize(p, pp.at("id"), egress, *rules)
                           : c.Revoke(p, pp.at("id"), egress, *rules);
            if (!out.ok()) return ErrorResponse(out.status(), req);
            return JsonResponse(200, ToJson(*out));
          });
    }
  }
  Add("POST", "/v1/instances/{id}/security-groups",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto in = JsonInput::Parse(req.body, {"security_group_ids"});
        if (!in.ok()) return ErrorResponse(in.status(), req);
        auto ids = in->StringList("security_group_ids");
        if (!ids.ok()) return ErrorResponse(ids.status(), req);
        auto out = SecurityGroupCommands(*d_.env).SetInstanceGroups(p, pp.at("id"), *ids);
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(200, {{"instance_id", pp.at("id")}, {"security_group_ids", *out}});
      });
  Add("GET", "/v1/instances/{id}/security-groups",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto out = SecurityGroupCommands(*d_.env).InstanceGroups(p, pp.at("id"));
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(200, {{"instance_id", pp.at("id")}, {"security_group_ids", *out}});
      });
}

void NativeApi::AddAddressRoutes() {
  Add("POST", "/v1/addresses", [this](http::Request& req, const PathParams&, const Principal& p) {
    auto in = JsonInput::Parse(req.body, {"tags"});
    if (!in.ok()) return ErrorResponse(in.status(), req);
    auto tags = in->StringMap("tags");
    if (!tags.ok()) return ErrorResponse(tags.status(), req);
    auto out = AddressCommands(*d_.env).Allocate(p, *tags);
    if (!out.ok()) return ErrorResponse(out.status(), req);
    return JsonResponse(201, ToJson(*out));
  });
  Add("GET", "/v1/addresses", [this](http::Request& req, const PathParams&, const Principal& p) {
    auto out = AddressCommands(*d_.env).List(p);
    if (!out.ok()) return ErrorResponse(out.status(), req);
    json list = json::array();
    for (const auto& a : *out) list.push_back(ToJson(a));
    return JsonResponse(200, {{"addresses", list}});
  });
  Add("GET", "/v1/addresses/{id}",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto out = AddressCommands(*d_.env).Get(p, pp.at("id"));
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(200, ToJson(*out));
      });
  Add("DELETE", "/v1/addresses/{id}",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        Status s = AddressCommands(*d_.env).Release(p, pp.at("id"));
        if (!s.ok()) return ErrorResponse(s, req);
        return JsonResponse(204, nullptr);
      });
  Add("POST", "/v1/addresses/{id}/associate",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto in = JsonInput::Parse(req.body, {"instance_id", "allow_reassociation"});
        if (!in.ok()) return ErrorResponse(in.status(), req);
        auto instance = in->RequiredString("instance_id");
        if (!instance.ok()) return ErrorResponse(instance.status(), req);
        auto allow = in->Bool("allow_reassociation");
        if (!allow.ok()) return ErrorResponse(allow.status(), req);
        auto out =
            AddressCommands(*d_.env).Associate(p, pp.at("id"), *instance, allow->value_or(false));
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(200, ToJson(*out));
      });
  Add("POST", "/v1/addresses/{id}/disassociate",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto in = JsonInput::Parse(req.body, {});
        if (!in.ok()) return ErrorResponse(in.status(), req);
        auto out = AddressCommands(*d_.env).Disassociate(p, pp.at("id"));
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(200, ToJson(*out));
      });
  Add("POST", "/v1/subnets/{id}/attributes",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto in = JsonInput::Parse(req.body, {"map_public_ip_on_launch"});
        if (!in.ok()) return ErrorResponse(in.status(), req);
        auto on = in->Bool("map_public_ip_on_launch");
        if (!on.ok()) return ErrorResponse(on.status(), req);
        if (!*on)
          return ErrorResponse(MissingParameter("'map_public_ip_on_launch' is required."), req);
        AddressCommands c(*d_.env);
        Status s = c.SetMapPublicIpOnLaunch(p, pp.at("id"), **on);
        if (!s.ok()) return ErrorResponse(s, req);
        return JsonResponse(200, {{"subnet_id", pp.at("id")}, {"map_public_ip_on_launch", **on}});
      });
  Add("GET", "/v1/subnets/{id}/attributes",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto on = AddressCommands(*d_.env).GetMapPublicIpOnLaunch(p, pp.at("id"));
        if (!on.ok()) return ErrorResponse(on.status(), req);
        return JsonResponse(200, {{"subnet_id", pp.at("id")}, {"map_public_ip_on_launch", *on}});
      });
}

}  // namespace strato::api
