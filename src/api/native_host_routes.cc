// Host routes of the native API (cloud admin only).
#include "api/json_input.h"
#include "api/json_output.h"
#include "api/native_api.h"
#include "api/query_input.h"

namespace strato::api {

using nlohmann::json;

namespace {

Result<AddHostInput> ParseAddHost(const std::string& body) {
  STRATO_ASSIGN_OR_RETURN(auto in, JsonInput::Parse(body, {"name", "zone", "driver", "vcpus",
                                                           "memory_mib", "cpu_ratio"}));
  AddHostInput h;
  STRATO_ASSIGN_OR_RETURN(h.name, in.RequiredString("name"));
  STRATO_ASSIGN_OR_RETURN(h.zone, in.String("zone"));
  STRATO_ASSIGN_OR_RETURN(auto driver, in.String("driver"));
  h.driver = driver.value_or("sim");
  STRATO_ASSIGN_OR_RETURN(auto vcpus, in.Int("vcpus", 1, 4096));
  if (!vcpus) return MissingParameter("'vcpus' is required.");
  h.vcpus = static_cast<int>(*vcpus);
  STRATO_ASSIGN_OR_RETURN(auto mem, in.Int("memory_mib", 128, int64_t{64} << 20));
  if (!mem) return MissingParameter("'memory_mib' is required.");
  h.memory_mib = *mem;
  STRATO_ASSIGN_OR_RETURN(h.cpu_ratio, in.Number("cpu_ratio"));
  return h;
}

Result<AddSimHostsInput> ParseAddSim(const std::string& body) {
  STRATO_ASSIGN_OR_RETURN(auto in, JsonInput::Parse(body, {"count", "vcpus", "memory_mib", "zone",
                                                           "name_prefix", "cpu_ratio"}));
  AddSimHostsInput h;
  STRATO_ASSIGN_OR_RETURN(auto count, in.Int("count", 1, 10000));
  h.count = static_cast<int>(count.value_or(1));
  STRATO_ASSIGN_OR_RETURN(auto vcpus, in.Int("vcpus", 1, 4096));
  if (!vcpus) return MissingParameter("'vcpus' is required.");
  h.vcpus = static_cast<int>(*vcpus);
  STRATO_ASSIGN_OR_RETURN(auto mem, in.Int("memory_mib", 128, int64_t{64} << 20));
  if (!mem) return MissingParameter("'memory_mib' is required.");
  h.memory_mib = *mem;
  STRATO_ASSIGN_OR_RETURN(h.zone, in.String("zone"));
  STRATO_ASSIGN_OR_RETURN(auto prefix, in.String("name_prefix"));
  h.name_prefix = prefix.value_or("sim");
  STRATO_ASSIGN_OR_RETURN(h.cpu_ratio, in.Number("cpu_ratio"));
  return h;
}

}  // namespace

void NativeApi::AddHostRoutes() {
  Add("POST", "/v1/hosts", [this](http::Request& req, const PathParams&, const Principal& p) {
    Status admin = RequireAdmin(p);
    if (!admin.ok()) return ErrorResponse(admin, req);
    auto in = ParseAddHost(req.body);
    if (!in.ok()) return ErrorResponse(in.status(), req);
    auto out = d_.hosts->Add(p, *in);
    if (!out.ok()) return ErrorResponse(out.status(), req);
    return JsonResponse(201, ToJson(*out));
  });
  Add("POST", "/v1/hosts/sim", [this](http::Request& req, const PathParams&, const Principal& p) {
    Status admin = RequireAdmin(p);
    if (!admin.ok()) return ErrorResponse(admin, req);
    auto in = ParseAddSim(req.body);
    if (!in.ok()) return ErrorResponse(in.status(), req);
    auto out = d_.hosts->AddSim(p, *in);
    if (!out.ok()) return ErrorResponse(out.status(), req);
    return JsonResponse(201, {{"hosts", *out}});
  });
  Add("GET", "/v1/hosts", [this](http::Request& req, const PathParams&, const Principal& p) {
    auto q = req.QueryParams();
    Status s = CheckQueryParams(q, {"zone", "enabled", "page_size", "next_token"});
    auto size = QueryInt(q, "page_size", 100, 1, 1000);
    if (s.ok() && !size.ok()) s = size.status();
    HostFilter filter;
    if (q.count("zone")) filter.zone = q["zone"];
    if (q.count("enabled")) {
      if (q["enabled"] != "true" && q["enabled"] != "false") {
        s = InvalidParameter("'enabled' must be true or false.");
      }
      filter.enabled = q["enabled"] == "true";
    }
    if (!s.ok()) return ErrorResponse(s, req);
    auto out = d_.hosts->List(p, filter, *size, q.count("next_token") ? q["next_token"] : "");
    if (!out.ok()) return ErrorResponse(out.status(), req);
    json list = json::array();
    for (const auto& h : out->hosts) list.push_back(ToJson(h));
    json body{{"hosts", std::move(list)}};
    if (!out->next_token.empty()) body["next_token"] = out->next_token;
    return JsonResponse(200, body);
  });
  Add("GET", "/v1/hosts/{id}", [this](http::Request& req, const PathParams& pp, const Principal& p) {
    auto out = d_.hosts->Get(p, pp.at("id"));
    if (!out.ok()) return ErrorResponse(out.status(), req);
    return JsonResponse(200, ToJson(*out));
  });
  for (bool enable : {true, false}) {
    Add("POST", enable ? "/v1/hosts/{id}/enable" : "/v1/hosts/{id}/disable",
        [this, enable](http::Request& req, const PathParams& pp, const Principal& p) {
          auto out = d_.hosts->SetEnabled(p, pp.at("id"), enable);
          if (!out.ok()) return ErrorResponse(out.status(), req);
          return JsonResponse(200, ToJson(*out));
        });
  }
}

}  // namespace strato::api
