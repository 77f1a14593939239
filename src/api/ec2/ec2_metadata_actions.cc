// Instance metadata options over EC2: RunInstances' MetadataOptions.* and UserData, and
// ModifyInstanceMetadataOptions. Parse → InstanceContextCommands → render.
#include "api/ec2/ec2_api.h"
#include "api/ec2/ec2_metadata_params.h"
#include "commands/instance_context_commands.h"

namespace strato::api::ec2 {

Result<MetadataOptionsChange> ParseMetadataOptionParams(const Ec2Params& p,
                                                        const std::string& prefix) {
  MetadataOptionsChange c;
  c.http_tokens = p.Optional(prefix + "HttpTokens");
  STRATO_ASSIGN_OR_RETURN(auto hops, p.Int(prefix + "HttpPutResponseHopLimit", 1, 64));
  if (hops) c.hop_limit = static_cast<int>(*hops);
  c.http_endpoint = p.Optional(prefix + "HttpEndpoint");
  return c;
}

Status ParseLaunchContextParams(const Ec2Params& p, LaunchContextInput& out) {
  out.key_name = p.Optional("KeyName");
  out.user_data_base64 = p.Optional("UserData").value_or("");
  STRATO_ASSIGN_OR_RETURN(out.metadata, ParseMetadataOptionParams(p, "MetadataOptions."));
  return OkStatus();
}

void RegisterMetadataActions(Ec2Api& api) {
  const Ec2Deps* d = &api.deps();
  api.Register("ModifyInstanceMetadataOptions",
               {"InstanceId", "HttpTokens", "HttpPutResponseHopLimit", "HttpEndpoint",
                "HttpProtocolIpv6", "InstanceMetadataTags"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 STRATO_ASSIGN_OR_RETURN(auto id, c.params.Required("InstanceId"));
                 for (const char* unsupported : {"HttpProtocolIpv6", "InstanceMetadataTags"}) {
                   auto v = c.params.Optional(unsupported);
                   if (v && *v != "disabled")
                     return InvalidParameter(std::string(unsupported) + " is not supported.");
                 }
                 STRATO_ASSIGN_OR_RETURN(auto change, ParseMetadataOptionParams(c.params, ""));
                 STRATO_ASSIGN_OR_RETURN(auto out, InstanceContextCommands(*d->env)
                                                       .ModifyMetadataOptions(c.principal, id,
                                                                              change));
                 x.Leaf("instanceId", id);
                 x.Open("instanceMetadataOptions");
                 // Applied by the controller right after this answer, as EC2 says "pending".
                 x.Leaf("state", "pending");
                 x.Leaf("httpTokens", out.http_tokens);
                 x.Leaf("httpPutResponseHopLimit", out.hop_limit);
                 x.Leaf("httpEndpoint", out.http_endpoint);
                 x.Leaf("httpProtocolIpv6", "disabled");
                 x.Leaf("instanceMetadataTags", "disabled");
                 x.Close();
                 return OkStatus();
               });
}

}  // namespace strato::api::ec2
