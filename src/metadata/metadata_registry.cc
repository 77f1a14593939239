#include "metadata/metadata_registry.h"

#include <mutex>

namespace strato {

void MetadataRegistry::IndexLocked(const Snapshot& s) {
  by_id_[s->instance_id] = s;
  for (const auto& n : s->interfaces) by_address_[{n.vpc_id, n.private_ip}] = s;
}

void MetadataRegistry::UnindexLocked(const std::string& instance_id) {
  auto it = by_id_.find(instance_id);
  if (it == by_id_.end()) return;
  for (const auto& n : it->second->interfaces) {
    auto a = by_address_.find({n.vpc_id, n.private_ip});
    // The address may already belong to a newer instance (released and reused).
    if (a != by_address_.end() && a->second->instance_id == instance_id) by_address_.erase(a);
  }
  by_id_.erase(it);
}

void MetadataRegistry::Upsert(InstanceMetadata m) {
  auto s = std::make_shared<const InstanceMetadata>(std::move(m));
  std::unique_lock lock(mu_);
  UnindexLocked(s->instance_id);
  IndexLocked(s);
}

void MetadataRegistry::Remove(const std::string& instance_id) {
  std::unique_lock lock(mu_);
  UnindexLocked(instance_id);
}

void MetadataRegistry::Replace(std::vector<InstanceMetadata> all) {
  std::vector<Snapshot> snaps;
  for (auto& m : all) snaps.push_back(std::make_shared<const InstanceMetadata>(std::move(m)));
  std::unique_lock lock(mu_);
  by_id_.clear();
  by_address_.clear();
  for (const auto& s : snaps) IndexLocked(s);
}

MetadataRegistry::Snapshot MetadataRegistry::Find(const std::string& vpc_id,
                                                  const std::string& ip) const {
  std::shared_lock lock(mu_);
  auto it = by_address_.find({vpc_id, ip});
  return it == by_address_.end() ? nullptr : it->second;
}

size_t MetadataRegistry::size() const {
  std::shared_lock lock(mu_);
  return by_id_.size();
}

}  // namespace strato
