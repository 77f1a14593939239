#pragma once
// The resource model: plain records as the store keeps them. No behaviour beyond
// small, pure helpers; rules live in the commands (src/core/*_commands.h).

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace strato {

using TimeMs = int64_t;  // milliseconds since the Unix epoch

enum class Role { kAdmin, kMember };

struct Tenant {
  std::string id;  // "t-…"
  std::string name;
  TimeMs created_at = 0;
};

struct User {
  std::string id;  // "u-…"
  std::string tenant_id;
  std::string name;
  Role role = Role::kMember;
  TimeMs created_at = 0;
};

struct AccessKey {
  std::string id;  // "AKIA…", 20 characters
  std::string user_id;
  std::string tenant_id;
  std::string secret_sealed;  // SecretBox-sealed secret; plaintext never stored
  bool active = true;
  TimeMs created_at = 0;
};

// Who is calling, as established by authentication.
struct Principal {
  std::string tenant_id;
  std::string user_id;
  std::string access_key_id;
  Role role = Role::kMember;
  bool is_admin() const { return role == Role::kAdmin; }
};

struct Host {
  std::string id;  // "h-…"
  std::string name;
  std::string zone;
  std::string driver;  // "sim" | "qemu"
  int vcpus = 0;
  int64_t memory_mib = 0;
  double cpu_ratio = 4.0;  // vCPU overcommit allowed on this host
  bool enabled = true;
  TimeMs created_at = 0;
  // Derived from the instances placed here (not stored in the hosts table).
  int allocated_vcpus = 0;
  int64_t allocated_memory_mib = 0;
  int instance_count = 0;
};

// A VPC: an isolated private network of one tenant.
struct Vpc {
  std::string id;  // "vpc-…"
  std::string tenant_id;
  std::string cidr;  // "10.0.0.0/16"
  bool is_default = false;
  TimeMs created_at = 0;
  std::map<std::string, std::string> tags;
};

// A subnet: one L2 segment (a bridge on each host) inside its VPC's CIDR.
struct Subnet {
  std::string id;  // "subnet-…"
  std::string tenant_id;
  std::string vpc_id;
  std::string cidr;
  bool is_default = false;
  TimeMs created_at = 0;
  int64_t used_addresses = 0;  // derived: network interfaces in it
  std::map<std::string, std::string> tags;
  bool map_public_ip_on_launch = false;  // derived: subnet_settings
};

// An instance's NIC: its private address and MAC on one subnet.
struct NetworkInterface {
  std::string id;  // "eni-…"
  std::string tenant_id;
  std::string instance_id;
  std::string vpc_id;
  std::string subnet_id;
  std::string private_ip;  // dotted quad
  int64_t ip_num = 0;      // the same address as a host-order integer, for ordering
  std::string mac;         // "02:…" lowercase
  TimeMs created_at = 0;
  std::string subnet_cidr;  // derived: its subnet's CIDR
};

enum class InstanceState { kPending, kRunning, kStopping, kStopped, kShuttingDown, kTerminated };
// A volume's attachment (volume_model.h); kDetached is "no attachment".
enum class AttachState { kDetached, kAttaching, kAttached, kDetaching };

// A volume attached to an instance, as the instance lists it.
struct BlockDevice {
  std::string device;  // "/dev/vda" (the root), "/dev/sdf", …
  std::string volume_id;
  AttachState state = AttachState::kAttached;
  TimeMs attached_at = 0;
  bool delete_on_termination = false;  // the volume goes with the instance
  bool instance_store = false;         // an ephemeral root device, not an EBS volume of its own
};
// What the user asked for; controllers converge the actual state toward it.
enum class DesiredState { kRunning, kStopped, kTerminated };

struct Instance {
  std::string id;  // "i-" + 17 hex
  std::string tenant_id;
  std::string name;
  std::string image_id;
  std::string instance_type;
  int vcpus = 0;
  int64_t memory_mib = 0;
  std::string zone;  // requested zone, or the placed host's zone once placed
  bool zone_requested = false;
  std::optional<std::string> host_id;
  std::string last_host_id;  // where it last ran: its console and files live there
  InstanceState state = InstanceState::kPending;
  std::string state_reason;
  DesiredState desired_state = DesiredState::kRunning;
  bool force_stop = false;
  int64_t reboot_generation = 0;  // bumped by each reboot request
  // Bumped at each placement (launch, every start). A host's reports carry the generation
  // of what they answer, so one about an earlier placement (a stop still queued on the host
  // when the instance was started again) cannot move the new one.
  int64_t placement_generation = 0;
  int launch_index = 0;  // its place among the instances of one launch, from 0 (amiLaunchIndex)
  std::string placement_policy;   // "" = cloud default
  TimeMs launched_at = 0;
  TimeMs updated_at = 0;
  TimeMs terminated_at = 0;  // 0 unless terminated
  std::map<std::string, std::string> tags;
  // Derived (network_interfaces table), loaded with the instance like its tags; empty
  // once terminated.
  std::vector<NetworkInterface> interfaces;
  // Derived, loaded with the interfaces: the instance's security groups (in order) and the
  // elastic IP associated with it ("" when none).
  struct GroupRef {
    std::string id;
    std::string name;
    bool operator==(const GroupRef&) const = default;
  };
  std::vector<GroupRef> security_groups;
  std::string public_ip;
  // Derived (volumes attached to it, the root first), filled by the instance commands for
  // what they answer (commands/block_devices.h); the store leaves it empty.
  std::vector<BlockDevice> block_devices;

  // EC2's rootDeviceType, from block_devices: "instance-store" when the root device is
  // ephemeral, else "ebs" (also for an instance of a diskless image, booted without a disk).
  const char* root_device_type() const {
    for (const BlockDevice& d : block_devices)
      if (d.instance_store) return "instance-store";
    return "ebs";
  }
};

struct Image {
  std::string id;  // "ami-…"
  std::string tenant_id;
  std::string name;
  std::string description;
  bool is_public = false;
  std::string state = "available";
  TimeMs created_at = 0;
};

// An S3 bucket. Names are global across tenants, as in S3.
struct Bucket {
  std::string name;
  std::string id;  // "bkt-…": names the bucket's data directory
  std::string tenant_id;
  TimeMs created_at = 0;
};

// An S3 object's metadata; its bytes are the file `data_file` in the bucket's directory.
struct ObjectRecord {
  std::string bucket;
  std::string key;
  int64_t size = 0;
  std::string etag;  // without quotes: hex MD5, or "<hex>-<parts>" for multipart uploads
  std::string content_type;
  std::string user_metadata;  // JSON object of x-amz-meta-* (names lower-case, no prefix)
  std::string data_file;
  TimeMs created_at = 0;
  std::string checksum;  // a verified x-amz-checksum-*: "CRC32:<base64>", or ""
  // JSON object of the response headers the uploader set and every read returns:
  // Cache-Control, Content-Disposition, Content-Encoding, Content-Language, Expires.
  std::string headers = "{}";
  // A multipart upload's object: the sizes of its parts in order ("8388608,8388608,1234"),
  // so GetObject/HeadObject can serve part N; "" for any other object.
  std::string part_sizes;
};

// An S3 multipart upload in progress; its parts are stored files until Complete joins them.
struct MultipartUpload {
  std::string id;
  std::string bucket;
  std::string key;
  std::string content_type;
  std::string user_metadata;  // as ObjectRecord::user_metadata
  TimeMs created_at = 0;
  // "CRC32", "CRC32C", "SHA1", "SHA256": every part carries a checksum of this algorithm and
  // the object gets the composite of them; "" when the upload was created without one.
  std::string checksum_algorithm;
  std::string headers = "{}";  // as ObjectRecord::headers, for the object Complete makes
};

struct UploadPart {
  std::string upload_id;
  int part_number = 0;
  int64_t size = 0;
  std::string etag;  // hex MD5 of the part
  std::string data_file;
  TimeMs created_at = 0;
  std::string checksum;  // the part's verified x-amz-checksum-*: "SHA256:<base64>", or ""
};

struct KeyPair {
  std::string id;  // "key-…"
  std::string tenant_id;
  std::string name;
  std::string public_key;
  std::string fingerprint;
  TimeMs created_at = 0;
};

const char* ToString(InstanceState s);
const char* ToString(DesiredState s);
const char* ToString(Role r);
std::optional<InstanceState> ParseInstanceState(std::string_view s);
std::optional<DesiredState> ParseDesiredState(std::string_view s);
std::optional<Role> ParseRole(std::string_view s);

}  // namespace strato
