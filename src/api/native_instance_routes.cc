// Instance routes of the native API: parse → InstanceCommands → render.
#include "api/json_input.h"
#include "api/json_output.h"
#include "api/metadata_options_input.h"
#include "api/native_api.h"
#include "api/query_input.h"

namespace strato::api {

using nlohmann::json;

namespace {

// "block_devices": [{"device", "size_gib"?, "volume_type"?, "iops"?, "throughput_mibps"?,
// "snapshot_id"?, "delete_on_termination"?}]; the rules are the command's (block_devices.h).
Result<std::vector<BlockDeviceRequest>> ParseBlockDevices(const JsonInput& in) {
  STRATO_ASSIGN_OR_RETURN(
      auto items,
      in.ObjectList("block_devices", {"device", "size_gib", "volume_type", "iops",
                                      "throughput_mibps", "snapshot_id", "delete_on_termination"}));
  std::vector<BlockDeviceRequest> out;
  for (const JsonInput& item : items) {
    BlockDeviceRequest d;
    STRATO_ASSIGN_OR_RETURN(d.device, item.RequiredString("device"));
    STRATO_ASSIGN_OR_RETURN(d.volume.size_gib, item.Int("size_gib", 1, 16384));
    STRATO_ASSIGN_OR_RETURN(d.volume.volume_type, item.String("volume_type"));
    STRATO_ASSIGN_OR_RETURN(d.volume.iops, item.Int("iops", 1, 1000000));
    STRATO_ASSIGN_OR_RETURN(d.volume.throughput_mibps, item.Int("throughput_mibps", 1, 100000));
    STRATO_ASSIGN_OR_RETURN(d.volume.snapshot_id, item.String("snapshot_id"));
    STRATO_ASSIGN_OR_RETURN(d.delete_on_termination, item.Bool("delete_on_termination"));
    out.push_back(std::move(d));
  }
  return out;
}

Result<RunInstancesInput> ParseRun(const std::string& body) {
  STRATO_ASSIGN_OR_RETURN(auto in, JsonInput::Parse(body, {"image_id", "instance_type", "count",
                                                           "name", "tags", "zone",
                                                           "placement_policy", "subnet_id",
                                                           "private_ip", "root_device_type",
                                                           "delete_on_termination",
                                                           "security_group_ids", "key_name",
                                                           "user_data", "http_tokens",
                                                           "http_put_response_hop_limit",
                                                           "http_endpoint", "block_devices",
                                                           "volume_tags"}));
  RunInstancesInput r;
  STRATO_ASSIGN_OR_RETURN(r.image_id, in.RequiredString("image_id"));
  STRATO_ASSIGN_OR_RETURN(r.instance_type, in.RequiredString("instance_type"));
  STRATO_ASSIGN_OR_RETURN(auto count, in.Int("count", 1, 1000));
  r.count = static_cast<int>(count.value_or(1));
  STRATO_ASSIGN_OR_RETURN(auto name, in.String("name"));
  r.name = name.value_or("");
  STRATO_ASSIGN_OR_RETURN(r.tags, in.StringMap("tags"));
  STRATO_ASSIGN_OR_RETURN(r.zone, in.String("zone"));
  STRATO_ASSIGN_OR_RETURN(r.placement_policy, in.String("placement_policy"));
  STRATO_ASSIGN_OR_RETURN(r.nic.subnet_id, in.String("subnet_id"));
  STRATO_ASSIGN_OR_RETURN(r.nic.private_ip, in.String("private_ip"));
  STRATO_ASSIGN_OR_RETURN(auto root_type, in.String("root_device_type"));
  r.root_device.type = root_type.value_or("ebs");
  STRATO_ASSIGN_OR_RETURN(r.root_device.delete_on_termination, in.Bool("delete_on_termination"));
  STRATO_ASSIGN_OR_RETURN(r.block_devices, ParseBlockDevices(in));
  STRATO_ASSIGN_OR_RETURN(r.volume_tags, in.StringMap("volume_tags"));
  STRATO_ASSIGN_OR_RETURN(r.nic.security_group_ids, in.StringList("security_group_ids"));
  STRATO_ASSIGN_OR_RETURN(r.launch.key_name, in.String("key_name"));
  STRATO_ASSIGN_OR_RETURN(auto user_data, in.String("user_data"));  // base64
  r.launch.user_data_base64 = user_data.value_or("");
  STRATO_ASSIGN_OR_RETURN(r.launch.metadata, ParseMetadataOptions(in));
  return r;
}

Result<ListInstancesInput> ParseList(const http::Request& req) {
  auto q = req.QueryParams();
  STRATO_RETURN_IF_ERROR(CheckQueryParams(
      q, {"state", "instance_type", "host_id", "zone", "tag:*", "page_size", "next_token"}));
  ListInstancesInput in;
  STRATO_ASSIGN_OR_RETURN(in.page_size, QueryInt(q, "page_size", 100, 1, 1000));
  for (const auto& [k, v] : q) {
    if (k == "state") {
      in.filter.state = ParseInstanceState(v);
      if (!in.filter.state) return InvalidParameter("'state': '" + v + "' is not an instance state.");
    } else if (k == "instance_type") {
      in.filter.instance_type = v;
    } else if (k == "host_id") {
      in.filter.host_id = v;
    } else if (k == "zone") {
      in.filter.zone = v;
    } else if (k == "next_token") {
      in.next_token = v;
    } else if (k.rfind("tag:", 0) == 0) {
      in.filter.tags.emplace_back(k.substr(4), v);
    }
  }
  return in;
}

}  // namespace

void NativeApi::AddInstanceRoutes() {
  Add("POST", "/v1/instances", [this](http::Request& req, const PathParams&, const Principal& p) {
    auto in = ParseRun(req.body);
    if (!in.ok()) return ErrorResponse(in.status(), req);
    auto out = d_.instances->Run(p, *in);
    if (!out.ok()) return ErrorResponse(out.status(), req);
    json list = json::array();
    for (const auto& i : *out) list.push_back(ToJson(i));
    return JsonResponse(202, {{"instances", list}});
  });
  Add("GET", "/v1/instances", [this](http::Request& req, const PathParams&, const Principal& p) {
    auto in = ParseList(req);
    if (!in.ok()) return ErrorResponse(in.status(), req);
    auto out = d_.instances->List(p, *in);
    if (!out.ok()) return ErrorResponse(out.status(), req);
    json list = json::array();
    for (const auto& i : out->instances) list.push_back(ToJson(i));
    json body{{"instances", std::move(list)}};
    if (!out->next_token.empty()) body["next_token"] = out->next_token;
    return JsonResponse(200, body);
  });
  Add("GET", "/v1/instances/{id}",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto out = d_.instances->Get(p, pp.at("id"));
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(200, ToJson(*out));
      });
  Add("GET", "/v1/instances/{id}/console",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto inst = d_.instances->Get(p, pp.at("id"));
        if (!inst.ok()) return ErrorResponse(inst.status(), req);
        std::string output;
        if (inst->host_id || !inst->last_host_id.empty()) {
          auto c = d_.console(*inst);
          if (c.ok()) output = *c;
        }
        return JsonResponse(200, {{"instance_id", inst->id}, {"output", output}});
      });
  struct ActionRoute {
    const char* method;
    const char* pattern;
    InstanceAction action;
  };
  static constexpr ActionRoute kActions[] = {
      {"POST", "/v1/instances/{id}/stop", InstanceAction::kStop},
      {"POST", "/v1/instances/{id}/start", InstanceAction::kStart},
      {"POST", "/v1/instances/{id}/reboot", InstanceAction::kReboot},
      {"POST", "/v1/instances/{id}/terminate", InstanceAction::kTerminate},
      {"DELETE", "/v1/instances/{id}", InstanceAction::kTerminate},
  };
  for (const auto& a : kActions) {
    InstanceAction action = a.action;
    Add(a.method, a.pattern,
        [this, action](http::Request& req, const PathParams& pp, const Principal& p) {
          bool force = false;
          if (action == InstanceAction::kStop) {
            auto in = JsonInput::Parse(req.body, {"force"});
            if (!in.ok()) return ErrorResponse(in.status(), req);
            auto f = in->Bool("force");
            if (!f.ok()) return ErrorResponse(f.status(), req);
            force = f->value_or(false);
          } else {
            auto in = JsonInput::Parse(req.body, {});
            if (!in.ok()) return ErrorResponse(in.status(), req);
          }
          auto out = d_.instances->Act(p, pp.at("id"), action, force);
          if (!out.ok()) return ErrorResponse(out.status(), req);
          return JsonResponse(202, ToJson(*out));
        });
  }
}

}  // namespace strato::api
