// Image routes of the native API: the image repository (upload, list, show, describe,
// deregister), images made from instances, and launch permissions (sharing).
#include "api/json_input.h"
#include "api/json_output.h"
#include "api/native_api.h"
#include "api/query_input.h"

namespace strato::api {

using nlohmann::json;

namespace {

constexpr size_t kMaxRecordBody = 64 * 1024;  // a JSON image record, read whole

json ToJson(const ImageView& v) {
  json j = api::ToJson(v.image);
  j["shared"] = !v.launch_tenants.empty();
  if (!v.data) return j;
  const ImageData& d = *v.data;
  json disk{{"state", ToString(d.state)},
            {"source_format", d.source_format},
            {"compression", d.compression},
            {"uploaded_bytes", d.uploaded_bytes},
            {"virtual_size", d.virtual_size},
            {"stored_bytes", d.stored_bytes},
            {"sha256", d.sha256}};
  if (!d.snapshot_id.empty()) disk["snapshot_id"] = d.snapshot_id;
  if (!d.state_reason.empty()) disk["state_reason"] = d.state_reason;
  j["disk"] = disk;
  return j;
}

// The small JSON body of a record-only POST, whether it came whole or as a stream.
Result<std::string> RecordBody(http::Request& req) {
  if (req.body_stream == nullptr) return req.body;
  std::string body;
  char buf[8192];
  for (;;) {
    STRATO_ASSIGN_OR_RETURN(size_t n, req.body_stream->Read(buf, sizeof buf));
    if (n == 0) return body;
    body.append(buf, n);
    if (body.size() > kMaxRecordBody) return PayloadTooLarge("The image record is too large.");
  }
}

http::Response CreateRecord(ResourceCommands& resources, http::Request& req, const Principal& p) {
  auto body = RecordBody(req);
  if (!body.ok()) return ErrorResponse(body.status(), req);
  auto in = JsonInput::Parse(*body, {"name", "description", "public"});
  if (!in.ok()) return ErrorResponse(in.status(), req);
  auto name = in->RequiredString("name");
  auto desc = in->String("description");
  auto pub = in->Bool("public");
  for (const Status* s : {&name.status(), &desc.status(), &pub.status()}) {
    if (!s->ok()) return ErrorResponse(*s, req);
  }
  auto out = resources.CreateImage(p, *name, desc->value_or(""), pub->value_or(false));
  if (!out.ok()) return ErrorResponse(out.status(), req);
  return JsonResponse(201, ToJson(ImageView{*out, std::nullopt, {}}));
}

json ToJson(const std::string& image_id, const LaunchPermission& lp) {
  return json{{"image_id", image_id}, {"public", lp.is_public}, {"tenants", lp.tenants}};
}

Result<ModifyLaunchPermissionInput> ParseLaunchPermissionChange(const std::string& body) {
  STRATO_ASSIGN_OR_RETURN(auto in, JsonInput::Parse(body, {"add", "remove", "public"}));
  ModifyLaunchPermissionInput out;
  STRATO_ASSIGN_OR_RETURN(out.add_tenants, in.StringList("add"));
  STRATO_ASSIGN_OR_RETURN(out.remove_tenants, in.StringList("remove"));
  STRATO_ASSIGN_OR_RETURN(out.make_public, in.Bool("public"));
  return out;
}

}  // namespace

void NativeApi::AddImageRoutes() {
  auto is_upload = [](const http::Request& r) { return r.QueryParams().count("name") > 0; };
  AddMaybeStreaming(
      "POST", "/v1/images", is_upload,
      [this](http::Request& req, const PathParams&, const Principal& p) {
        auto q = req.QueryParams();
        if (!q.count("name")) return CreateRecord(*d_.resources, req, p);
        Status s = CheckQueryParams(q, {"name", "description"});
        if (!s.ok()) return ErrorResponse(s, req);
        http::BodyStream* body = req.body_stream;
        UploadImageInput in{q["name"], q["description"],
                            [body](char* out, size_t max) { return body->Read(out, max); }};
        auto out = d_.images->Upload(p, in);
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(202, ToJson(*out));
      });
  Add("GET", "/v1/images", [this](http::Request& req, const PathParams&, const Principal& p) {
    auto out = d_.images->List(p);
    if (!out.ok()) return ErrorResponse(out.status(), req);
    json list = json::array();
    for (const auto& v : *out) list.push_back(ToJson(v));
    return JsonResponse(200, {{"images", list}});
  });
  Add("GET", "/v1/images/{id}", [this](http::Request& req, const PathParams& pp, const Principal& p) {
    auto out = d_.images->Get(p, pp.at("id"));
    if (!out.ok()) return ErrorResponse(out.status(), req);
    return JsonResponse(200, ToJson(*out));
  });
  Add("DELETE", "/v1/images/{id}",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto out = d_.images->Deregister(p, pp.at("id"));
        if (!out.ok()) return ErrorResponse(out.status(), req);
        if (!out->had_disk) return JsonResponse(204, nullptr);
        return JsonResponse(200, {{"image_id", out->image_id},
                                  {"data_deleted", out->data_deleted},
                                  {"dependents", out->dependents}});
      });
  // {"description": "…"}: the only attribute of the image itself that can change.
  Add("PATCH", "/v1/images/{id}",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto in = JsonInput::Parse(req.body, {"description"});
        if (!in.ok()) return ErrorResponse(in.status(), req);
        auto desc = in->RequiredString("description");
        if (!desc.ok()) return ErrorResponse(desc.status(), req);
        auto out = d_.images->SetDescription(p, pp.at("id"), *desc);
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(200, ToJson(*out));
      });
  Add("GET", "/v1/images/{id}/launch-permission",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto out = d_.images->DescribeImageLaunchPermission(p, pp.at("id"));
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(200, ToJson(pp.at("id"), *out));
      });
  Add("PATCH", "/v1/images/{id}/launch-permission",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto in = ParseLaunchPermissionChange(req.body);
        if (!in.ok()) return ErrorResponse(in.status(), req);
        auto out = d_.images->ModifyImageLaunchPermission(p, pp.at("id"), *in);
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(200, ToJson(pp.at("id"), *out));
      });
  Add("POST", "/v1/instances/{id}/image",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto in = JsonInput::Parse(req.body, {"name", "description"});
        if (!in.ok()) return ErrorResponse(in.status(), req);
        auto name = in->RequiredString("name");
        auto desc = in->String("description");
        for (const Status* s : {&name.status(), &desc.status()}) {
          if (!s->ok()) return ErrorResponse(*s, req);
        }
        auto out = d_.images->CreateFromInstance(p, {pp.at("id"), *name, desc->value_or("")});
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(202, ToJson(*out));
      });
}

}  // namespace strato::api
