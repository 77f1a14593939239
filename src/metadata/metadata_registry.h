#pragma once
// MetadataRegistry: the host's in-memory metadata snapshots, indexed by where a request
// can come from — (VPC segment, private address) of each interface. Addresses are unique
// within a VPC, and every VPC has its own listener, so two tenants with the same private
// address are two different keys.
// Thread-safety: all methods may be called concurrently (readers share a lock).

#include <map>
#include <memory>
#include <shared_mutex>
#include <string>
#include <vector>

#include "metadata/instance_metadata.h"

namespace strato {

class MetadataRegistry {
 public:
  // Snapshots are immutable and shared: a request in flight keeps the one it found while
  // a newer one replaces it.
  using Snapshot = std::shared_ptr<const InstanceMetadata>;

  void Upsert(InstanceMetadata m);
  void Remove(const std::string& instance_id);
  // Exactly these instances from now on (a resync).
  void Replace(std::vector<InstanceMetadata> all);
  // The instance whose interface in `vpc_id` has address `ip`, or nullptr.
  Snapshot Find(const std::string& vpc_id, const std::string& ip) const;
  size_t size() const;

 private:
  void IndexLocked(const Snapshot& s);
  void UnindexLocked(const std::string& instance_id);

  mutable std::shared_mutex mu_;
  std::map<std::string, Snapshot> by_id_;                         // GUARDED_BY(mu_)
  std::map<std::pair<std::string, std::string>, Snapshot> by_address_;  // GUARDED_BY(mu_)
};

}  // namespace strato
