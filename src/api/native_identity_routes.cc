// Tenant, user and access-key routes of the native API.
#include "api/json_input.h"
#include "api/json_output.h"
#include "api/native_api.h"

namespace strato::api {

using nlohmann::json;

namespace {

template <typename T>
http::Response ListResponse(const Result<std::vector<T>>& out, const char* key,
                            const http::Request& req) {
  if (!out.ok()) return ErrorResponse(out.status(), req);
  json list = json::array();
  for (const auto& x : *out) list.push_back(ToJson(x));
  return JsonResponse(200, {{key, std::move(list)}});
}

template <typename T>
http::Response OneResponse(const Result<T>& out, int status, const http::Request& req) {
  if (!out.ok()) return ErrorResponse(out.status(), req);
  return JsonResponse(status, ToJson(*out));
}

}  // namespace

void NativeApi::AddIdentityRoutes() {
  Add("POST", "/v1/tenants", [this](http::Request& req, const PathParams&, const Principal& p) {
    auto in = JsonInput::Parse(req.body, {"name"});
    if (!in.ok()) return ErrorResponse(in.status(), req);
    auto name = in->RequiredString("name");
    if (!name.ok()) return ErrorResponse(name.status(), req);
    return OneResponse(d_.identity->CreateTenant(p, *name), 201, req);
  });
  Add("GET", "/v1/tenants", [this](http::Request& req, const PathParams&, const Principal& p) {
    return ListResponse(d_.identity->ListTenants(p), "tenants", req);
  });
  Add("GET", "/v1/tenants/{id}",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        return OneResponse(d_.identity->GetTenant(p, pp.at("id")), 200, req);
      });
  Add("POST", "/v1/users", [this](http::Request& req, const PathParams&, const Principal& p) {
    auto in = JsonInput::Parse(req.body, {"name", "tenant_id", "role"});
    if (!in.ok()) return ErrorResponse(in.status(), req);
    auto name = in->RequiredString("name");
    auto tenant = in->String("tenant_id");
    auto role = in->String("role");
    for (const Status* s : {&name.status(), &tenant.status(), &role.status()}) {
      if (!s->ok()) return ErrorResponse(*s, req);
    }
    return OneResponse(d_.identity->CreateUser(p, *name, *tenant, *role), 201, req);
  });
  Add("GET", "/v1/users", [this](http::Request& req, const PathParams&, const Principal& p) {
    return ListResponse(d_.identity->ListUsers(p), "users", req);
  });
  Add("GET", "/v1/users/{id}", [this](http::Request& req, const PathParams& pp, const Principal& p) {
    return OneResponse(d_.identity->GetUser(p, pp.at("id")), 200, req);
  });
  Add("POST", "/v1/users/{id}/access-keys",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto in = JsonInput::Parse(req.body, {});
        if (!in.ok()) return ErrorResponse(in.status(), req);
        return OneResponse(d_.identity->CreateAccessKey(p, pp.at("id")), 201, req);
      });
  Add("GET", "/v1/access-keys", [this](http::Request& req, const PathParams&, const Principal& p) {
    return ListResponse(d_.identity->ListAccessKeys(p), "access_keys", req);
  });
  Add("DELETE", "/v1/access-keys/{id}",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        Status s = d_.identity->DeleteAccessKey(p, pp.at("id"));
        if (!s.ok()) return ErrorResponse(s, req);
        return JsonResponse(204, nullptr);
      });
}

}  // namespace strato::api
