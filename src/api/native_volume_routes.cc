// Volume and snapshot routes of the native API: parse → VolumeCommands → render.
#include "api/json_input.h"
#include "api/native_api.h"
#include "api/query_input.h"
#include "api/volume_json.h"

namespace strato::api {

using nlohmann::json;

namespace {

Result<CreateVolumeInput> ParseCreate(const std::string& body) {
  STRATO_ASSIGN_OR_RETURN(auto in, JsonInput::Parse(body, {"size", "volume_type", "iops",
                                                           "throughput", "snapshot_id", "zone",
                                                           "tags"}));
  CreateVolumeInput r;
  STRATO_ASSIGN_OR_RETURN(r.size_gib, in.Int("size", 1, 16384));
  STRATO_ASSIGN_OR_RETURN(auto type, in.String("volume_type"));
  r.volume_type = type.value_or("gp2");
  STRATO_ASSIGN_OR_RETURN(r.iops, in.Int("iops", 1, 1000000));
  STRATO_ASSIGN_OR_RETURN(r.throughput_mibps, in.Int("throughput", 1, 100000));
  STRATO_ASSIGN_OR_RETURN(r.snapshot_id, in.String("snapshot_id"));
  STRATO_ASSIGN_OR_RETURN(r.zone, in.String("zone"));
  STRATO_ASSIGN_OR_RETURN(r.tags, in.StringMap("tags"));
  return r;
}

Result<ModifyVolumeInput> ParseModify(const std::string& body) {
  STRATO_ASSIGN_OR_RETURN(auto in,
                          JsonInput::Parse(body, {"size", "volume_type", "iops", "throughput"}));
  ModifyVolumeInput r;
  STRATO_ASSIGN_OR_RETURN(r.size_gib, in.Int("size", 1, 16384));
  STRATO_ASSIGN_OR_RETURN(r.volume_type, in.String("volume_type"));
  STRATO_ASSIGN_OR_RETURN(r.iops, in.Int("iops", 1, 1000000));
  STRATO_ASSIGN_OR_RETURN(r.throughput_mibps, in.Int("throughput", 1, 100000));
  return r;
}

Result<ListInput> ParsePage(const std::map<std::string, std::string>& q) {
  ListInput in;
  STRATO_ASSIGN_OR_RETURN(in.page_size, QueryInt(q, "page_size", 100, 1, 1000));
  auto it = q.find("next_token");
  if (it != q.end()) in.next_token = it->second;
  return in;
}

template <typename T>
json Listing(const char* key, const ListPage<T>& page) {
  json list = json::array();
  for (const auto& item : page.items) list.push_back(ToJson(item));
  json body{{key, std::move(list)}};
  if (!page.next_token.empty()) body["next_token"] = page.next_token;
  return body;
}

}  // namespace

void NativeApi::AddVolumeRoutes() {
  Add("POST", "/v1/volumes", [this](http::Request& req, const PathParams&, const Principal& p) {
    auto in = ParseCreate(req.body);
    if (!in.ok()) return ErrorResponse(in.status(), req);
    auto out = d_.volumes->Create(p, *in);
    if (!out.ok()) return ErrorResponse(out.status(), req);
    return JsonResponse(202, ToJson(*out));
  });
  Add("GET", "/v1/volumes", [this](http::Request& req, const PathParams&, const Principal& p) {
    auto q = req.QueryParams();
    Status s = CheckQueryParams(q, {"state", "instance_id", "zone", "page_size", "next_token"});
    if (!s.ok()) return ErrorResponse(s, req);
    auto page = ParsePage(q);
    if (!page.ok()) return ErrorResponse(page.status(), req);
    VolumeFilter f;
    if (q.count("state")) {
      f.state = ParseVolumeState(q["state"]);
      if (!f.state) {
        return ErrorResponse(InvalidParameter("'state': '" + q["state"] +
                                              "' is not a volume state."),
                             req);
      }
    }
    if (q.count("instance_id")) f.instance_id = q["instance_id"];
    if (q.count("zone")) f.zone = q["zone"];
    auto out = d_.volumes->List(p, f, *page);
    if (!out.ok()) return ErrorResponse(out.status(), req);
    return JsonResponse(200, Listing("volumes", *out));
  });
  Add("GET", "/v1/volumes/{id}", [this](http::Request& req, const PathParams& pp, const Principal& p) {
    auto out = d_.volumes->Get(p, pp.at("id"));
    if (!out.ok()) return ErrorResponse(out.status(), req);
    return JsonResponse(200, ToJson(*out));
  });
  Add("DELETE", "/v1/volumes/{id}",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto out = d_.volumes->Delete(p, pp.at("id"));
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(202, ToJson(*out));
      });
  Add("POST", "/v1/volumes/{id}/modify",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto in = ParseModify(req.body);
        if (!in.ok()) return ErrorResponse(in.status(), req);
        auto out = d_.volumes->Modify(p, pp.at("id"), *in);
        if (!out.ok()) return ErrorResponse(out.status(), req);
        json body = ToJson(out->volume);
        body["modification"] = ToJson(out->modification);
        return JsonResponse(202, body);
      });
  Add("GET", "/v1/volumes/{id}/modification",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto out = d_.volumes->ListModifications(p, {pp.at("id")}, {});
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(200, ToJson(out->items.front()));
      });
  Add("POST", "/v1/volumes/{id}/attach",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto in = JsonInput::Parse(req.body, {"instance_id", "device"});
        if (!in.ok()) return ErrorResponse(in.status(), req);
        AttachVolumeInput a;
        auto iid = in->String("instance_id");
        auto dev = in->String("device");
        if (!iid.ok()) return ErrorResponse(iid.status(), req);
        if (!dev.ok()) return ErrorResponse(dev.status(), req);
        a.instance_id = iid->value_or("");
        a.device = dev->value_or("");
        auto out = d_.volumes->Attach(p, pp.at("id"), a);
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(202, ToJson(*out));
      });
  Add("POST", "/v1/volumes/{id}/detach",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto in = JsonInput::Parse(req.body, {"force"});
        if (!in.ok()) return ErrorResponse(in.status(), req);
        auto force = in->Bool("force");
        if (!force.ok()) return ErrorResponse(force.status(), req);
        auto out = d_.volumes->Detach(p, pp.at("id"), force->value_or(false));
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(202, ToJson(*out));
      });

  Add("POST", "/v1/snapshots", [this](http::Request& req, const PathParams&, const Principal& p) {
    auto in = JsonInput::Parse(req.body, {"volume_id", "description", "tags"});
    if (!in.ok()) return ErrorResponse(in.status(), req);
    CreateSnapshotInput c;
    auto vid = in->String("volume_id");
    auto desc = in->String("description");
    auto tags = in->StringMap("tags");
    for (const Status* s : {&vid.status(), &desc.status(), &tags.status()}) {
      if (!s->ok()) return ErrorResponse(*s, req);
    }
    c.volume_id = vid->value_or("");
    c.description = desc->value_or("");
    c.tags = *tags;
    auto out = d_.volumes->CreateSnapshot(p, c);
    if (!out.ok()) return ErrorResponse(out.status(), req);
    return JsonResponse(202, ToJson(*out));
  });
  Add("GET", "/v1/snapshots", [this](http::Request& req, const PathParams&, const Principal& p) {
    auto q = req.QueryParams();
    Status s = CheckQueryParams(q, {"volume_id", "state", "page_size", "next_token"});
    if (!s.ok()) return ErrorResponse(s, req);
    auto page = ParsePage(q);
    if (!page.ok()) return ErrorResponse(page.status(), req);
    SnapshotFilter f;
    if (q.count("volume_id")) f.volume_id = q["volume_id"];
    if (q.count("state")) {
      f.state = ParseSnapshotState(q["state"]);
      if (!f.state) {
        return ErrorResponse(InvalidParameter("'state': '" + q["state"] +
                                              "' is not a snapshot state."),
                             req);
      }
    }
    auto out = d_.volumes->ListSnapshots(p, f, *page);
    if (!out.ok()) return ErrorResponse(out.status(), req);
    return JsonResponse(200, Listing("snapshots", *out));
  });
  Add("GET", "/v1/snapshots/{id}",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto out = d_.volumes->GetSnapshot(p, pp.at("id"));
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(200, ToJson(*out));
      });
  Add("DELETE", "/v1/snapshots/{id}",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto out = d_.volumes->DeleteSnapshot(p, pp.at("id"));
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(202, ToJson(*out));
      });
}

}  // namespace strato::api
