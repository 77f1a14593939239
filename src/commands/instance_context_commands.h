#pragma once
// What an instance is launched with beyond its shape — key pair, user-data, metadata
// options — and the one change allowed later: its metadata options, live.
// Errors: InvalidParameterValue (bad base64, user-data over 16 KiB, bad options),
// InvalidKeyPair.NotFound, InvalidInstanceID.NotFound, IncorrectInstanceState
// (terminated instance).
// Thread-safety: stateless; safe from any thread.

#include <optional>
#include <string>
#include <vector>

#include "commands/command_env.h"
#include "metadata/metadata_options.h"

namespace strato {

struct LaunchContextInput {
  std::optional<std::string> key_name;
  std::string user_data_base64;  // as every API carries it
  MetadataOptionsChange metadata;
};

// Checks what needs no store; returns the decoded user-data.
Result<std::string> ValidateLaunchContext(const LaunchContextInput& in);

// Inside the launch transaction: resolves the key pair and stores one context per instance.
Status WriteLaunchContexts(WriteTxn& t, const std::string& tenant_id, const LaunchContextInput& in,
                           const std::string& user_data, const std::vector<Instance>& created);

class InstanceContextCommands {
 public:
  explicit InstanceContextCommands(CommandEnv& env) : env_(env) {}

  // Applies `change` and wakes the controller, which pushes the new snapshot to the host:
  // a running instance's metadata service follows at once.
  Result<MetadataOptions> ModifyMetadataOptions(const Principal& p, const std::string& id,
                                                const MetadataOptionsChange& change);
  Result<InstanceContext> Get(const Principal& p, const std::string& id);

 private:
  CommandEnv& env_;
};

}  // namespace strato
