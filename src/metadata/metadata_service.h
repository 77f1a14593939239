#pragma once
// MetadataService: the host agent's metadata endpoint, 169.254.169.254:80 in every VPC
// namespace of the host (docs/metadata.md).
//
// - SyncListeners(vpcs) keeps exactly one listener per VPC namespace present on the host
//   and that namespace's source guard (source_guard.h) matching its guests' NICs:
//   the socket is created inside the namespace (setns on a short-lived thread), so it only
//   ever sees that VPC's packets, and served from the service's own I/O threads. The
//   address 169.254.169.254/32 is put on the namespace's loopback so guests' packets to it
//   are delivered locally; the VPC ruleset admits tcp/80 to it.
// - Apply(message) takes the snapshots the controller pushes:
//   {"type":"metadata", "upsert":[…], "remove":["i-…"], "replace":bool}
//   (replace: the upserts are the host's whole set, as after a resync).
// Thread-safety: all methods may be called concurrently.

#include <sys/types.h>

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "drivers/network/command_runner.h"
#include "metadata/metadata_registry.h"
#include "metadata/metadata_server.h"
#include "metadata/metadata_token.h"
#include "metadata/source_guard.h"

namespace strato {

constexpr const char* kMetadataAddress = "169.254.169.254";
constexpr int kMetadataPort = 80;

// A listening socket on kMetadataAddress:port inside namespace `ns`.
Result<UniqueFd> OpenListenerInNetns(const std::string& ns, int port = kMetadataPort);

class MetadataService {
 public:
  MetadataService(std::string host_id, CommandRunner& runner, MetadataServerOptions options = {});
  ~MetadataService();

  // Errors: InternalError naming the namespace whose listener could not be opened (the
  // others are still served; the next sync retries).
  // `vpcs`: VPC id → the NICs of the host's guests in it.
  Status SyncListeners(const std::map<std::string, std::vector<GuardedPort>>& vpcs);
  // InvalidParameterValue for a malformed message (nothing changed).
  Status Apply(const nlohmann::json& message);
  // Forgets an instance (its VM was destroyed).
  void Remove(const std::string& instance_id) { registry_.Remove(instance_id); }

  const MetadataRegistry& registry() const { return registry_; }

 private:
  const std::string host_id_;
  CommandRunner& runner_;
  MetadataRegistry registry_;
  MetadataTokenSigner signer_;
  MetadataServer server_;
  std::mutex mu_;                               // serializes SyncListeners
  std::map<std::string, ino_t> listener_netns_;  // GUARDED_BY(mu_): namespace of each listener
};

}  // namespace strato
