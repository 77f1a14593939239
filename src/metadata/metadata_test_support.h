#pragma once
// A sample instance snapshot for the metadata tests.

#include "metadata/instance_metadata.h"

namespace strato::testing {

inline InstanceMetadata SampleMetadata() {
  InstanceMetadata m;
  m.instance_id = "i-0123456789abcdef0";
  m.tenant_id = "t-0123456789abcdef0";
  m.image_id = "ami-0123456789abcdef0";
  m.instance_type = "t3.nano";
  m.zone = "strato-1a";
  m.region = "strato-1";
  m.launched_at = 1764806400000;  // 2025-12-04T00:00:00Z
  m.interfaces.push_back({"02:00:0a:00:00:05", "10.0.0.5", "vpc-0123456789abcdef0",
                          "subnet-0123456789abcdef0", "10.0.0.0/24", "eni-0123456789abcdef0"});
  m.key_name = "mykey";
  m.public_key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample mykey";
  m.user_data = std::string("#!/bin/sh\necho hi\n\0\xff", 21);
  return m;
}

}  // namespace strato::testing
