#pragma once
// Instance commands: the EC2 lifecycle as rules over desired state.
//
// run → pending (desired running); the controller places and starts it.
// stop: running → stopping; stopped/stopping → no-op; others IncorrectInstanceState.
// start: stopped → pending; running/pending → no-op; others IncorrectInstanceState.
// reboot: running only. terminate: any → shutting-down; terminated → no-op.
// Errors: InvalidParameterValue, InvalidAMIID.NotFound, InvalidInstanceID.NotFound /
// .Malformed, IncorrectInstanceState, InsufficientInstanceCapacity (type fits no host),
// the subnet/address errors of AllocateInterfaces (network_commands.h) and the mapping
// errors of block_devices.h. Instances answered carry their block devices.
// Thread-safety: stateless; safe from any thread.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "commands/block_devices.h"
#include "commands/command_env.h"
#include "commands/instance_context_commands.h"
#include "commands/network_commands.h"
#include "commands/root_volume.h"

namespace strato {

struct RunInstancesInput {
  std::string image_id;
  std::string instance_type;
  int count = 1;
  std::string name;
  std::map<std::string, std::string> tags;
  std::optional<std::string> zone;
  std::optional<std::string> placement_policy;
  NicRequest nic;  // default: the tenant's default subnet, any free address
  RootDeviceRequest root_device;  // used when the image has a disk
  // Volumes mapped at launch: the root device's settings (merged into root_device) and data
  // volumes, made for each instance (block_devices.h).
  std::vector<BlockDeviceRequest> block_devices;
  std::map<std::string, std::string> volume_tags;  // on every volume made at launch
  LaunchContextInput launch;  // key pair, user-data, metadata options
};

struct ListInstancesInput {
  InstanceFilter filter;
  int page_size = 100;
  std::string next_token;
};

struct InstancePage {
  std::vector<Instance> instances;
  std::string next_token;  // empty on the last page
};

enum class InstanceAction { kStop, kStart, kReboot, kTerminate };

class InstanceCommands {
 public:
  explicit InstanceCommands(CommandEnv& env) : env_(env) {}

  Result<std::vector<Instance>> Run(const Principal& p, const RunInstancesInput& in);
  Result<InstancePage> List(const Principal& p, const ListInstancesInput& in);
  Result<Instance> Get(const Principal& p, const std::string& id);
  // The named instances (in the order asked, duplicates once) that match `filter`, read in
  // one snapshot. An id the tenant does not own is InvalidInstanceID.NotFound naming every
  // such id, unless `skip_missing` (an id filter rather than an id list).
  Result<std::vector<Instance>> GetMany(const Principal& p, const std::vector<std::string>& ids,
                                        const InstanceFilter& filter, bool skip_missing = false);
  Result<Instance> Act(const Principal& p, const std::string& id, InstanceAction action,
                       bool force = false);
  // Last 64 KiB of the serial console, fetched from the host agent by `fetch`.
  Result<Instance> GetForConsole(const Principal& p, const std::string& id) { return Get(p, id); }

 private:
  CommandEnv& env_;
};

// Whether `i` passes `filter` (the same rules the store applies to a listing).
bool InstanceMatches(const Instance& i, const InstanceFilter& filter);

// Applies `action` to `i` in memory. Returns false when it is a no-op (already there).
Result<bool> ApplyInstanceAction(Instance& i, InstanceAction action, bool force);

}  // namespace strato
