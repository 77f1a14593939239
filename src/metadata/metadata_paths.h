#pragma once
// The EC2 metadata tree of one instance: /latest/meta-data/…, /latest/user-data and
// /latest/dynamic/instance-identity/document, rendered from a snapshot.
// A directory answers with its children one per line (sub-directories with a trailing
// "/"), as EC2 does. Pure functions; thread-safe.

#include <map>
#include <optional>
#include <string>

#include "metadata/instance_metadata.h"

namespace strato {

// Every leaf under meta-data/, by path relative to it ("placement/region" → "strato-1").
std::map<std::string, std::string> MetadataLeaves(const InstanceMetadata& m);

// The body for `path` (the request path, e.g. "/latest/meta-data/instance-id"), or
// nullopt when there is no such entry (404).
std::optional<std::string> RenderMetadataPath(const InstanceMetadata& m, const std::string& path);

// The instance identity document (JSON, pretty-printed like EC2's).
std::string InstanceIdentityDocument(const InstanceMetadata& m);

}  // namespace strato
