#pragma once
// HypervisorDriver: the narrow interface every hypervisor implements (sim now; qemu,
// libvirt later). Only the host agent calls it, from the agent's own thread, so
// implementations may block. Observed power-state changes are pushed to the event sink
// (possibly from a driver thread); nothing is ever reported that was not observed.

#include <functional>
#include <string>
#include <vector>

#include "common/status.h"
#include "core/volume_types.h"
#include "drivers/network/firewall_spec.h"

namespace strato {

// One virtio-net NIC on a subnet's bridge (the network driver's port `port_id`).
struct VmNic {
  std::string port_id;  // the network interface id, "eni-…"
  std::string vpc_id;
  std::string subnet_id;
  std::string subnet_cidr;
  std::string mac;
  std::string ip;
  std::string public_ip;  // 1:1 NAT (elastic IP), "" for none
  PortFirewall firewall;  // security groups, resolved; empty denies all new inbound/outbound
};

// A data volume as a guest disk: its active blob (a qcow2 file in the host's storage root)
// behind a throttle group with the volume type's limits. The guest sees a virtio disk
// whose serial is the volume id without its dash ("vol0123…", 20 characters, as on EC2).
struct VolumeAttachment {
  std::string volume_id;
  std::string blob_id;
  ThrottleLimits throttle;
  int64_t size_bytes = 0;  // the volume's size; a plugged disk smaller than this is grown
};

struct VmSpec {
  std::string instance_id;
  int vcpus = 0;
  int64_t memory_mib = 0;
  std::string machine;  // "q35" | "microvm"
  std::string image_id;
  std::vector<VmNic> nics;
  std::vector<VolumeAttachment> volumes;  // plugged at start (q35 only)
};

enum class VmPowerState { kRunning, kStopped, kAbsent };
const char* ToString(VmPowerState s);

struct VmEvent {
  std::string instance_id;
  VmPowerState state = VmPowerState::kAbsent;
  std::string reason;  // why, when the change was not requested (crash, guest power-off)
};

class HypervisorDriver {
 public:
  using EventSink = std::function<void(const VmEvent&)>;
  virtual ~HypervisorDriver() = default;

  // Set once, before any other call.
  virtual void SetEventSink(EventSink sink) = 0;
  // Creates the VM if absent and boots it; no-op if running. Reports kRunning when up.
  virtual Status Start(const VmSpec& spec) = 0;
  // Powers off (gracefully unless force); reports kStopped. No-op if already stopped.
  virtual Status Stop(const std::string& instance_id, bool force) = 0;
  virtual Status Reboot(const std::string& instance_id) = 0;
  // Ends the VM and removes every host-local trace of it; reports kAbsent.
  virtual Status Destroy(const std::string& instance_id) = 0;
  // Re-attaches to a VM that may have outlived a restart of stratod and returns what is
  // really there. `believed` is the last state the control plane recorded.
  virtual VmPowerState Adopt(const VmSpec& spec, VmPowerState believed) = 0;
  // Every VM this driver knows on the host (for orphan clean-up).
  virtual std::vector<std::string> ListVms() = 0;
  // The last `max_bytes` of the serial console.
  virtual Result<std::string> ConsoleOutput(const std::string& instance_id, size_t max_bytes) = 0;
  // Hot-plugs a volume into a running VM. Idempotent (already plugged is success).
  // IncorrectInstanceState when the VM is not running; UnsupportedOperation when its
  // machine cannot hot-plug.
  virtual Status AttachVolume(const std::string& instance_id, const VolumeAttachment& a) = 0;
  // Unplugs a volume: asks the guest to let go and waits for it, then closes the file.
  // Idempotent (not plugged, or the VM not running, is success).
  virtual Status DetachVolume(const std::string& instance_id, const std::string& volume_id,
                              bool force) = 0;
  // Live snapshot: switches the plugged disk onto `overlay_blob_id` (an empty qcow2 overlay
  // of the blob in use), so the blob in use freezes at this instant. Idempotent.
  virtual Status SnapshotVolume(const std::string& instance_id, const std::string& volume_id,
                                const std::string& overlay_blob_id) = 0;
};

}  // namespace strato
