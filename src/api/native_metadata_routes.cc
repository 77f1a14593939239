// Metadata-option routes of the native API: parse → InstanceContextCommands → render.
#include "api/json_output.h"
#include "api/metadata_options_input.h"
#include "api/native_api.h"
#include "commands/instance_context_commands.h"

namespace strato::api {

using nlohmann::json;

Result<MetadataOptionsChange> ParseMetadataOptions(const JsonInput& in) {
  MetadataOptionsChange c;
  STRATO_ASSIGN_OR_RETURN(c.http_tokens, in.String("http_tokens"));
  STRATO_ASSIGN_OR_RETURN(auto hops, in.Int("http_put_response_hop_limit", 1, 64));
  if (hops) c.hop_limit = static_cast<int>(*hops);
  STRATO_ASSIGN_OR_RETURN(c.http_endpoint, in.String("http_endpoint"));
  return c;
}

namespace {

json OptionsJson(const std::string& id, const MetadataOptions& o) {
  return {{"instance_id", id},
          {"http_tokens", o.http_tokens},
          {"http_put_response_hop_limit", o.hop_limit},
          {"http_endpoint", o.http_endpoint}};
}

}  // namespace

void NativeApi::AddMetadataOptionRoutes() {
  Add("GET", "/v1/instances/{id}/metadata-options",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto out = InstanceContextCommands(*d_.env).Get(p, pp.at("id"));
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(200, OptionsJson(pp.at("id"), out->metadata));
      });
  Add("POST", "/v1/instances/{id}/metadata-options",
      [this](http::Request& req, const PathParams& pp, const Principal& p) {
        auto in = JsonInput::Parse(
            req.body, {"http_tokens", "http_put_response_hop_limit", "http_endpoint"});
        if (!in.ok()) return ErrorResponse(in.status(), req);
        auto change = ParseMetadataOptions(*in);
        if (!change.ok()) return ErrorResponse(change.status(), req);
        auto out = InstanceContextCommands(*d_.env).ModifyMetadataOptions(p, pp.at("id"), *change);
        if (!out.ok()) return ErrorResponse(out.status(), req);
        return JsonResponse(200, OptionsJson(pp.at("id"), *out));
      });
}

}  // namespace strato::api
