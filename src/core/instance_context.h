#pragma once
// What an instance is launched with beyond its shape: the key pair installed for root,
// its user-data, and how its metadata service may be reached. Stored beside the instance
// (table instance_contexts), read by the controller into the metadata snapshot it pushes
// to the instance's host.

#include <string>

namespace strato {

// EC2's instance metadata options.
struct MetadataOptions {
  std::string http_tokens = "optional";   // "optional" | "required" (IMDSv2 only)
  int hop_limit = 1;                      // IP TTL of metadata responses, 1-64
  std::string http_endpoint = "enabled";  // "enabled" | "disabled"
};

struct InstanceContext {
  std::string instance_id;
  std::string tenant_id;
  std::string key_name;    // "" = no key pair
  std::string public_key;  // the key pair's OpenSSH public key, copied at launch
  std::string user_data;   // raw bytes (base64 only on the wire), at most 16 KiB
  MetadataOptions metadata;
};

}  // namespace strato
