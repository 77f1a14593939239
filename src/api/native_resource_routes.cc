// Tag and key-pair routes of the native API (images: native_image_routes.cc).
#include "api/json_input.h"
#include "api/json_output.h"
#include "api/native_api.h"
#include "api/query_input.h"

namespace strato::api {

using nlohmann::json;

void NativeApi::AddResourceRoutes() {
  Add("PUT", "/v1/tags", [this](http::Request& req, const PathParams&, const Principal& p) {
    auto in = JsonInput::Parse(req.body, {"resource_ids", "tags"});
    if (!in.ok()) return ErrorResponse(in.status(), req);
    auto ids = in->StringList("resource_ids");
    auto tags = in->StringMap("tags");
    Status s = !ids.ok() ? ids.status() : !tags.ok() ? tags.status() : OkStatus();
    if (s.ok()) s = d_.resources->SetTags(p, *ids, *tags);
    if (!s.ok()) return ErrorResponse(s, req);
    return JsonResponse(204, nullptr);
  });
  Add("DELETE", "/v1/tags", [this](http::Request& req, const PathParams&, const Principal& p) {
    auto in = JsonInput::Parse(req.body, {"resource_ids", "keys"});
    if (!in.ok()) return ErrorResponse(in.status(), req);
    auto ids = in->StringList("resource_ids");
    auto keys = in->StringList("keys");
    Status s = !ids.ok() ? ids.status() : !keys.ok() ? keys.status() : OkStatus();
    if (s.ok()) s = d_.resources->DeleteTags(p, *ids, *keys);
    if (!s.ok()) return ErrorResponse(s, req);
    return JsonResponse(204, nullptr);
  });
  Add("GET", "/v1/tags", [this](http::Request& req, const PathParams&, const Principal& p) {
    auto q = req.QueryParams();
    Status s = CheckQueryParams(q, {"resource_id"});
    if (s.ok() && !q.count("resource_id")) s = MissingParameter("'resource_id' is required.");
    if (!s.ok()) return ErrorResponse(s, req);
    auto out = d_.resources->ListTags(p, q["resource_id"]);
    if (!out.ok()) return ErrorResponse(out.status(), req);
    json list = json::array();
    for (const auto& t : *out) {
      list.push_back({{"resource_id", t.resource_id}, {"key", t.key}, {"value", t.value}});
    }
    return JsonResponse(200, {{"tags", list}});
  });

  Add("POST", "/v1/key-pairs", [this](http::Request& req, const PathParams&, const Principal& p) {
    auto in = JsonInput::Parse(req.body, {"name", "public_key"});
    if (!in.ok()) return ErrorResponse(in.status(), req);
    auto name = in->RequiredString("name");
    auto key = in->RequiredString("public_key");
    for (const Status* s : {&name.status(), &key.status()}) {
      if (!s->ok()) return ErrorResponse(*s, req);
    }
    auto out = d_.resources->ImportKeyPair(p, *name, *key);
    if (!out.ok()) return ErrorResponse(out.status(), req);
    return JsonResponse(201, ToJson(*out));
  });
  Add("GET", "/v1/key-pairs", [this](http::Request& req, const PathParams&, const Principal& p) {
    auto out = d_.resources->ListKeyPairs(p);
    if (!out.ok()) return ErrorResponse(out.status(), req);
    json list = json::array();
    for (const auto& k : *out) list.push_back(ToJson(k));
    return JsonResponse(200, {{"key_pairs", list}});
  });
  Add("GET", "/v1/key-pairs/{name}",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto out = d_.resources->GetKeyPair(p, pp.at("name"));
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(200, ToJson(*out));
      });
  Add("DELETE", "/v1/key-pairs/{name}",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        Status s = d_.resources->DeleteKeyPair(p, pp.at("name"));
        if (!s.ok()) return ErrorResponse(s, req);
        return JsonResponse(204, nullptr);
      });
}

}  // namespace strato::api
