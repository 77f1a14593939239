#pragma once
// The controller ↔ host-agent protocol. Every message crosses the boundary as JSON text,
// even in the all-in-one daemon, so a remote agent changes the transport, not the design.
//
// controller → agent
//   {"type":"apply", "vm":{...VmSpec}, "desired":"running|stopped|absent", "force":bool,
//    "reboot_generation":N, "generation":N}   converge one VM (idempotent)
//   {"type":"sync", "vms":[{"vm":{...}, "believed":"running|stopped", "generation":N}]}
//                                               re-attach to these, destroy every other VM
//   {"type":"console", "instance_id":"i-…", "max_bytes":N}   → {"output":"…"} (a call)
//   {"type":"volume", "instance_id":"i-…", "volume_id":"vol-…", "attach":bool, "force":bool,
//    "attachment":{VolumeAttachment}}         hot-plug / unplug one volume (idempotent)
//   (a VmSpec carries "volumes":[VolumeAttachment…] to plug at start)
// agent → controller
//   {"host_id":"h-…", "instance_id":"i-…", "state":"running|stopped|absent", "reason":"…",
//    "generation":N}                            N: of the last apply or sync entry the host
//                                              had for the VM (0: none since it started)
//   {"kind":"volume", "host_id", "instance_id", "volume_id", "attached":bool, "ok":bool,
//    "error":"…"}                              outcome of a volume message (to the volume
//                                              controller)

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "drivers/hypervisor/hypervisor_driver.h"

namespace strato {

struct ApplyMessage {
  VmSpec vm;
  VmPowerState desired = VmPowerState::kRunning;
  bool force = false;
  int64_t reboot_generation = 0;
  int64_t generation = 0;  // the instance's placement_generation
};

struct SyncEntry {
  VmSpec vm;
  VmPowerState believed = VmPowerState::kRunning;
  int64_t generation = 0;  // the instance's placement_generation
};

struct AgentReport {
  std::string host_id;
  std::string instance_id;
  VmPowerState state = VmPowerState::kAbsent;
  std::string reason;
  int64_t generation = 0;  // what the host last heard for this VM; 0: nothing yet
};

struct VolumeMessage {
  std::string instance_id;
  std::string volume_id;
  bool attach = true;
  bool force = false;
  VolumeAttachment attachment;  // when attaching
  std::string snapshot_blob_id;  // set: a live snapshot onto this overlay (attach is true)
};

struct VolumeReport {
  std::string host_id;
  std::string instance_id;
  std::string volume_id;
  bool attached = false;  // what was asked: attach (true) or detach (false)
  bool ok = false;
  std::string error;
  std::string snapshot_blob_id;  // set when this answers a live snapshot
};

std::string EncodeVolumeMessage(const VolumeMessage& m);
Result<VolumeMessage> DecodeVolumeMessage(const nlohmann::json& j);
std::string EncodeVolumeReport(const VolumeReport& r);
Result<VolumeReport> DecodeVolumeReport(const std::string& text);
// Volume reports go to the volume controller, all others to the instance controller.
bool IsVolumeReport(const std::string& text);

std::string EncodeApply(const ApplyMessage& m);
std::string EncodeSync(const std::vector<SyncEntry>& entries);
// True for what EncodeSync wrote, without parsing it (the agent sorts messages on arrival).
bool IsSyncMessage(std::string_view message_json);
std::string EncodeConsoleCall(const std::string& instance_id, size_t max_bytes);
std::string EncodeReport(const AgentReport& r);
Result<AgentReport> DecodeReport(const std::string& text);

nlohmann::json VmSpecToJson(const VmSpec& s);
Result<VmSpec> VmSpecFromJson(const nlohmann::json& j);
std::optional<VmPowerState> ParseVmPowerState(std::string_view s);

}  // namespace strato
