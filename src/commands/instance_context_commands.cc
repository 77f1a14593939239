#include "commands/instance_context_commands.h"

#include "commands/validation.h"
#include "common/base64.h"

namespace strato {

Result<std::string> ValidateLaunchContext(const LaunchContextInput& in) {
  if (in.key_name && (in.key_name->empty() || in.key_name->size() > 255))
    return InvalidParameter("'key_name' must be 1 to 255 characters.");
  STRATO_RETURN_IF_ERROR(ApplyMetadataOptions({}, in.metadata).status());
  if (in.user_data_base64.empty()) return std::string();
  auto raw = Base64Decode(in.user_data_base64);
  if (!raw) return InvalidParameter("'user_data' must be base64.");
  if (raw->size() > kMaxUserDataBytes)
    return InvalidParameter("'user_data' is " + std::to_string(raw->size()) +
                            " bytes; the limit is 16384 (16 KiB) before base64.");
  return std::move(*raw);
}

Status WriteLaunchContexts(WriteTxn& t, const std::string& tenant_id, const LaunchContextInput& in,
                           const std::string& user_data, const std::vector<Instance>& created) {
  InstanceContext c;
  c.tenant_id = tenant_id;
  c.user_data = user_data;
  c.metadata = *ApplyMetadataOptions({}, in.metadata);
  if (in.key_name) {
    STRATO_ASSIGN_OR_RETURN(auto key, t.GetKeyPair(Scope::Tenant(tenant_id), *in.key_name));
    c.key_name = key.name;
    c.public_key = key.public_key;
  }
  for (const Instance& i : created) {
    c.instance_id = i.id;
    STRATO_RETURN_IF_ERROR(t.PutInstanceContext(c));
  }
  return OkStatus();
}

Result<MetadataOptions> InstanceContextCommands::ModifyMetadataOptions(
    const Principal& p, const std::string& id, const MetadataOptionsChange& change) {
  STRATO_RETURN_IF_ERROR(ValidateId("instance_id", id, "i", "InvalidInstanceID.NotFound"));
  if (change.empty())
    return MissingParameter("Give at least one of http_tokens, http_put_response_hop_limit, "
                            "http_endpoint.");
  STRATO_RETURN_IF_ERROR(ApplyMetadataOptions({}, change).status());
  MetadataOptions out;
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto i, t.GetInstance(Scope::Tenant(p.tenant_id), id));
    if (i.state == InstanceState::kTerminated || i.state == InstanceState::kShuttingDown)
      return IncorrectInstanceState("The instance '" + id + "' is " + ToString(i.state) + ".");
    STRATO_ASSIGN_OR_RETURN(auto c, t.GetInstanceContext(Scope::Tenant(p.tenant_id), id));
    c.tenant_id = i.tenant_id;
    STRATO_ASSIGN_OR_RETURN(out, ApplyMetadataOptions(c.metadata, change));
    c.metadata = out;
    return t.PutInstanceContext(c);
  }));
  env_.kick({id});
  return out;
}

Result<InstanceContext> InstanceContextCommands::Get(const Principal& p, const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateId("instance_id", id, "i", "InvalidInstanceID.NotFound"));
  InstanceContext c;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) -> Status {
    STRATO_RETURN_IF_ERROR(t.GetInstance(Scope::Tenant(p.tenant_id), id).status());
    STRATO_ASSIGN_OR_RETURN(c, t.GetInstanceContext(Scope::Tenant(p.tenant_id), id));
    return OkStatus();
  }));
  return c;
}

}  // namespace strato
