#include "commands/instance_commands.h"

#include <algorithm>

#include "commands/page_token.h"
#include "commands/validation.h"
#include "common/ids.h"
#include "core/instance_types.h"
#include "sched/placement.h"

namespace strato {
namespace {

// Data volumes need a guest with hot-plug ports to be plugged into (q35).
Status CheckTypeTakesVolumes(const InstanceType& type, size_t data_volumes) {
  if (data_volumes == 0 || std::string_view(type.machine) != "microvm") return OkStatus();
  return BadRequest("Unsupported", "Instance type " + std::string(type.name) +
                                       " (microvm) takes no data volumes; choose a standard "
                                       "type to map them.");
}

Status ValidateRun(const CommandEnv& env, const RunInstancesInput& in) {
  if (in.image_id.empty()) return MissingParameter("'image_id' is required.");
  STRATO_RETURN_IF_ERROR(ValidateId("image_id", in.image_id, "ami", "InvalidAMIID.NotFound"));
  if (in.instance_type.empty()) return MissingParameter("'instance_type' is required.");
  if (!FindInstanceType(in.instance_type)) {
    return InvalidParameter("'instance_type': '" + in.instance_type +
                            "' is not an instance type (see GET /v1/instance-types).");
  }
  if (in.count < 1 || in.count > 1000) {
    return InvalidParameter("'count' must be between 1 and 1000.");
  }
  if (!in.name.empty()) STRATO_RETURN_IF_ERROR(ValidateName("name", in.name, 256));
  STRATO_RETURN_IF_ERROR(ValidateTags("tags", in.tags));
  STRATO_RETURN_IF_ERROR(ValidateTags("volume_tags", in.volume_tags));
  if (in.zone && std::find(env.zones.begin(), env.zones.end(), *in.zone) == env.zones.end()) {
    return InvalidParameter("'zone': '" + *in.zone + "' is not an availability zone of region " +
                            env.region + ".");
  }
  if (in.placement_policy && !ParsePlacementPolicy(*in.placement_policy)) {
    return InvalidParameter("'placement_policy' must be one of pack, spread, balance.");
  }
  STRATO_RETURN_IF_ERROR(ValidateRootDevice(in.root_device));
  return ValidateNicRequest(in.nic, in.count);
}

// A type larger than every enabled host can never be placed: refuse it up front, as a
// launch into a cloud with no enabled host at all.
Status CheckTypeFitsSomeHost(ReadTxn& t, const InstanceType& type) {
  STRATO_ASSIGN_OR_RETURN(auto fit, t.CountHostsThatFit(type.vcpus, type.memory_mib));
  if (fit.large_enough > 0) return OkStatus();
  if (fit.enabled == 0) {
    return BadRequest("InsufficientInstanceCapacity",
                      "No host in this cloud is enabled to take new instances.");
  }
  return BadRequest("InsufficientInstanceCapacity",
                    "No enabled host in this cloud is large enough for instance type " +
                        std::string(type.name) + ".");
}

}  // namespace

Result<std::vector<Instance>> InstanceCommands::Run(const Principal& p,
                                                    const RunInstancesInput& raw) {
  RunInstancesInput in = raw;
  // The name is a Name tag, and counts against the tag limit like any other.
  if (!in.name.empty() && !in.tags.count("Name")) in.tags["Name"] = in.name;
  STRATO_ASSIGN_OR_RETURN(auto data_volumes, SplitBlockDevices(in.block_devices, in.root_device));
  STRATO_RETURN_IF_ERROR(ValidateRun(env_, in));
  STRATO_ASSIGN_OR_RETURN(std::string user_data, ValidateLaunchContext(in.launch));
  const InstanceType& type = *FindInstanceType(in.instance_type);
  STRATO_RETURN_IF_ERROR(CheckTypeTakesVolumes(type, data_volumes.size()));
  const int64_t now = env_.now_ms();
  std::vector<Instance> created;
  created.reserve(in.count);
  for (int n = 0; n < in.count; ++n) {
    Instance i;
    i.id = NewResourceId("i");
    i.tenant_id = p.tenant_id;
    i.name = in.name;
    i.image_id = in.image_id;
    i.instance_type = std::string(type.name);
    i.vcpus = type.vcpus;
    i.memory_mib = type.memory_mib;
    i.zone = in.zone.value_or("");
    i.zone_requested = in.zone.has_value();
    i.state = InstanceState::kPending;
    i.state_reason = "Waiting for placement";
    i.desired_state = DesiredState::kRunning;
    i.placement_policy = in.placement_policy.value_or("");
    i.launch_index = n;
    i.launched_at = now;
    i.updated_at = now;
    i.tags = in.tags;
    created.push_back(std::move(i));
  }
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) {
    STRATO_RETURN_IF_ERROR(t.GetImage(Scope::Tenant(p.tenant_id), in.image_id).status());
    STRATO_ASSIGN_OR_RETURN(auto disk, LaunchableDisk(t, in.image_id));
    STRATO_RETURN_IF_ERROR(CheckTypeFitsSomeHost(t, type));
    if (!disk) STRATO_RETURN_IF_ERROR(CheckDisklessRoot(in.root_device, in.image_id));
    // Volumes made with an instance live in its zone, and it stays with them: one not asked
    // for a zone is held to the first.
    if (disk || !data_volumes.empty()) {
      for (Instance& i : created) {
        if (i.zone_requested) continue;
        i.zone = env_.zones.front();
        i.zone_requested = true;
      }
    }
    STRATO_RETURN_IF_ERROR(AllocateInterfaces(t, env_, p.tenant_id, in.nic, created));
    for (const Instance& i : created) {
      STRATO_RETURN_IF_ERROR(t.InsertInstance(i));
      const LaunchVolumes where{i, i.zone, in.volume_tags, now};
      if (disk) STRATO_RETURN_IF_ERROR(AddRootVolume(t, where, *disk, in.root_device));
      STRATO_RETURN_IF_ERROR(AddDataVolumes(t, where, data_volumes));
    }
    STRATO_RETURN_IF_ERROR(WriteLaunchContexts(t, p.tenant_id, in.launch, user_data, created));
    return LoadBlockDevices(t, created);
  }));
  std::vector<std::string> ids;
  for (const auto& i : created) ids.push_back(i.id);
  env_.kick(std::move(ids));
  env_.kick_volumes();  // root and data volumes to create
  return created;
}

Result<InstancePage> InstanceCommands::List(const Principal& p, const ListInstancesInput& in) {
  if (in.page_size < 1 || in.page_size > 1000) {
    return InvalidParameter("'page_size' must be between 1 and 1000.");
  }
  Page page{.limit = in.page_size + 1};
  if (!in.next_token.empty()) {
    STRATO_ASSIGN_OR_RETURN(page.after_id, DecodePageToken(in.next_token, "i"));
  }
  InstancePage out;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    STRATO_ASSIGN_OR_RETURN(out.instances,
                            t.ListInstances(Scope::Tenant(p.tenant_id), in.filter, page));
    return LoadBlockDevices(t, out.instances);
  }));
  if (out.instances.size() > static_cast<size_t>(in.page_size)) {
    out.instances.pop_back();
    out.next_token = EncodePageToken(out.instances.back().id);
  }
  return out;
}

Result<Instance> InstanceCommands::Get(const Principal& p, const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateId("instance_id", id, "i", "InvalidInstanceID.NotFound"));
  Result<Instance> out = Internal("unset");
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    out = t.GetInstance(Scope::Tenant(p.tenant_id), id);
    return out.ok() ? LoadBlockDevices(t, *out) : OkStatus();
  }));
  return out;
}

Result<std::vector<Instance>> InstanceCommands::GetMany(const Principal& p,
                                                       const std::vector<std::string>& ids,
                                                       const InstanceFilter& filter,
                                                       bool skip_missing) {
  if (ids.size() > 1000) return InvalidParameter("At most 1000 instance ids may be given.");
  std::vector<std::string> unique;
  for (const auto& id : ids) {
    if (!skip_missing) {
      STRATO_RETURN_IF_ERROR(ValidateId("instance_id", id, "i", "InvalidInstanceID.NotFound"));
    }
    if (std::find(unique.begin(), unique.end(), id) == unique.end()) unique.push_back(id);
  }
  std::vector<Instance> found;
  std::vector<std::string> missing;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    for (const auto& id : unique) {
      auto i = t.GetInstance(Scope::Tenant(p.tenant_id), id);
      if (i.ok()) {
        found.push_back(std::move(*i));
      } else if (i.status().http_status() == 404) {
        missing.push_back(id);
      } else {
        return i.status();
      }
    }
    return LoadBlockDevices(t, found);
  }));
  if (!missing.empty() && !skip_missing) {
    std::string list;
    for (const auto& id : missing) list += (list.empty() ? "'" : ", '") + id + "'";
    return NotFound("InvalidInstanceID.NotFound",
                    (missing.size() == 1 ? "The instance ID " + list + " does not exist"
                                         : "The instance IDs " + list + " do not exist") +
                        ".");
  }
  std::erase_if(found, [&](const Instance& i) { return !InstanceMatches(i, filter); });
  return found;
}

bool InstanceMatches(const Instance& i, const InstanceFilter& f) {
  // `state` and `states` together are one any-of set, as the store reads them.
  if (f.state || !f.states.empty()) {
    bool any = f.state == i.state;
    for (InstanceState s : f.states) any = any || s == i.state;
    if (!any) return false;
  }
  if (f.instance_type && i.instance_type != *f.instance_type) return false;
  if (f.host_id && i.host_id != f.host_id) return false;
  if (f.zone && i.zone != *f.zone) return false;
  if (f.unplaced_only && i.host_id) return false;
  for (const auto& [k, v] : f.tags) {
    auto it = i.tags.find(k);
    if (it == i.tags.end() || it->second != v) return false;
  }
  return true;
}

Result<bool> ApplyInstanceAction(Instance& i, InstanceAction action, bool force) {
  using S = InstanceState;
  auto refuse = [&](const char* verb) -> Result<bool> {
    return IncorrectInstanceState("The instance '" + i.id + "' is in state '" +
                                  ToString(i.state) + "' and cannot be " + verb + ".");
  };
  switch (action) {
    case InstanceAction::kStop:
      if (i.state == S::kStopped || i.state == S::kStopping) {
        if (force && i.state == S::kStopping && !i.force_stop) {
          i.force_stop = true;  // escalate a graceful stop in flight
          return true;
        }
        return false;
      }
      if (i.state != S::kRunning) return refuse("stopped");
      i.state = S::kStopping;
      i.desired_state = DesiredState::kStopped;
      i.force_stop = force;
      i.state_reason = "Client.UserInitiatedShutdown: User initiated shutdown";
      return true;
    case InstanceAction::kStart:
      if (i.state == S::kRunning || i.state == S::kPending) return false;
      if (i.state != S::kStopped) return refuse("started");
      i.state = S::kPending;
      i.desired_state = DesiredState::kRunning;
      i.force_stop = false;
      i.state_reason = "Waiting for placement";
      if (!i.zone_requested) i.zone.clear();  // free to land in any zone again
      return true;
    case InstanceAction::kReboot:
      if (i.state != S::kRunning) return refuse("rebooted");
      ++i.reboot_generation;
      return true;
    case InstanceAction::kTerminate:
      if (i.state == S::kTerminated || i.state == S::kShuttingDown) return false;
      i.state = S::kShuttingDown;
      i.desired_state = DesiredState::kTerminated;
      i.state_reason = "Client.UserInitiatedShutdown: User initiated shutdown";
      return true;
  }
  return false;
}

Result<Instance> InstanceCommands::Act(const Principal& p, const std::string& id,
                                       InstanceAction action, bool force) {
  STRATO_RETURN_IF_ERROR(ValidateId("instance_id", id, "i", "InvalidInstanceID.NotFound"));
  Instance result;
  bool changed = false;
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) {
    STRATO_ASSIGN_OR_RETURN(result, t.GetInstance(Scope::Tenant(p.tenant_id), id));
    if (action == InstanceAction::kStop) STRATO_RETURN_IF_ERROR(CheckStoppable(t, id));
    STRATO_ASSIGN_OR_RETURN(changed, ApplyInstanceAction(result, action, force));
    if (changed) {
      result.updated_at = env_.now_ms();
      STRATO_RETURN_IF_ERROR(t.UpdateInstance(result));
    }
    return LoadBlockDevices(t, result);
  }));
  if (changed) env_.kick({id});
  return result;
}

}  // namespace strato
