#pragma once
// How the controller feeds the metadata service: snapshots built from the store and sent
// to the instance's host agent as {"type":"metadata", …} (metadata_service.h). Sent with
// every start/apply of a running instance and, whole, with every resync, so a host that
// restarted is refilled without the service ever reading the store itself.

#include <string>
#include <vector>

#include "metadata/instance_metadata.h"
#include "store/store.h"

namespace strato {

// The snapshot of `i` (its context read from `t`).
Result<InstanceMetadata> LoadInstanceMetadata(ReadTxn& t, const Instance& i,
                                              const std::string& region);

// replace: `upserts` are all the host's instances (stale ones are dropped).
std::string EncodeMetadataPush(const std::vector<InstanceMetadata>& upserts, bool replace);

}  // namespace strato
