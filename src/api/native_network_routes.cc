// VPC and subnet routes of the native API.
#include "api/json_input.h"
#include "api/json_output.h"
#include "api/native_api.h"
#include "api/query_input.h"

namespace strato::api {

using nlohmann::json;

void NativeApi::AddNetworkRoutes() {
  Add("POST", "/v1/vpcs", [this](http::Request& req, const PathParams&, const Principal& p) {
    auto in = JsonInput::Parse(req.body, {"cidr", "tags"});
    if (!in.ok()) return ErrorResponse(in.status(), req);
    auto cidr = in->RequiredString("cidr");
    auto tags = in->StringMap("tags");
    for (const Status* s : {&cidr.status(), &tags.status()}) {
      if (!s->ok()) return ErrorResponse(*s, req);
    }
    auto out = d_.networks->CreateVpc(p, *cidr, *tags);
    if (!out.ok()) return ErrorResponse(out.status(), req);
    return JsonResponse(201, ToJson(*out));
  });
  Add("GET", "/v1/vpcs", [this](http::Request& req, const PathParams&, const Principal& p) {
    auto out = d_.networks->ListVpcs(p);
    if (!out.ok()) return ErrorResponse(out.status(), req);
    json list = json::array();
    for (const auto& v : *out) list.push_back(ToJson(v));
    return JsonResponse(200, {{"vpcs", list}});
  });
  Add("GET", "/v1/vpcs/{id}", [this](http::Request& req, const PathParams& pp, const Principal& p) {
    auto out = d_.networks->GetVpc(p, pp.at("id"));
    if (!out.ok()) return ErrorResponse(out.status(), req);
    return JsonResponse(200, ToJson(*out));
  });
  Add("DELETE", "/v1/vpcs/{id}",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        Status s = d_.networks->DeleteVpc(p, pp.at("id"));
        if (!s.ok()) return ErrorResponse(s, req);
        return JsonResponse(204, nullptr);
      });

  Add("POST", "/v1/subnets", [this](http::Request& req, const PathParams&, const Principal& p) {
    auto in = JsonInput::Parse(req.body, {"vpc_id", "cidr", "tags"});
    if (!in.ok()) return ErrorResponse(in.status(), req);
    auto vpc = in->RequiredString("vpc_id");
    auto cidr = in->RequiredString("cidr");
    auto tags = in->StringMap("tags");
    for (const Status* s : {&vpc.status(), &cidr.status(), &tags.status()}) {
      if (!s->ok()) return ErrorResponse(*s, req);
    }
    auto out = d_.networks->CreateSubnet(p, {*vpc, *cidr, *tags});
    if (!out.ok()) return ErrorResponse(out.status(), req);
    return JsonResponse(201, ToJson(*out));
  });
  Add("GET", "/v1/subnets", [this](http::Request& req, const PathParams&, const Principal& p) {
    auto q = req.QueryParams();
    Status s = CheckQueryParams(q, {"vpc_id"});
    if (!s.ok()) return ErrorResponse(s, req);
    std::optional<std::string> vpc;
    if (q.count("vpc_id")) vpc = q["vpc_id"];
    auto out = d_.networks->ListSubnets(p, vpc);
    if (!out.ok()) return ErrorResponse(out.status(), req);
    json list = json::array();
    for (const auto& n : *out) list.push_back(ToJson(n));
    return JsonResponse(200, {{"subnets", list}});
  });
  Add("GET", "/v1/subnets/{id}",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto out = d_.networks->GetSubnet(p, pp.at("id"));
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(200, ToJson(*out));
      });
  Add("DELETE", "/v1/subnets/{id}",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        Status s = d_.networks->DeleteSubnet(p, pp.at("id"));
        if (!s.ok()) return ErrorResponse(s, req);
        return JsonResponse(204, nullptr);
      });
}

}  // namespace strato::api
