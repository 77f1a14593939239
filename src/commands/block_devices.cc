#include "commands/block_devices.h"

#include <algorithm>
#include <set>
#include <unordered_map>

namespace strato {
namespace {

Status BadMapping(std::string message) {
  return BadRequest("InvalidBlockDeviceMapping", std::move(message));
}

// The root mapping's settings go to `root`; its delete_on_termination may also have come
// from the request itself (the native API's top-level field), and must then agree.
Status MergeRoot(const BlockDeviceRequest& m, RootDeviceRequest& root) {
  if (m.delete_on_termination) {
    if (root.delete_on_termination && *root.delete_on_termination != *m.delete_on_termination) {
      return BadRequest("InvalidParameterCombination",
                        "The root device's delete_on_termination is given twice, differently.");
    }
    root.delete_on_termination = m.delete_on_termination;
  }
  root.volume = m.volume;
  return OkStatus();
}

}  // namespace

bool IsRootDeviceName(std::string_view device) {
  return device == kRootDeviceName || device == "/dev/xvda" || device == "/dev/sda1";
}

Result<std::vector<BlockDeviceRequest>> SplitBlockDevices(
    const std::vector<BlockDeviceRequest>& mappings, RootDeviceRequest& root) {
  std::vector<BlockDeviceRequest> data;
  std::set<std::string> seen;
  for (const BlockDeviceRequest& m : mappings) {
    const bool is_root = IsRootDeviceName(m.device);
    if (!is_root && !IsValidDeviceName(m.device)) {
      return BadMapping("Invalid device name '" + m.device +
                        "': map the root device (/dev/vda, /dev/xvda, /dev/sda1) or a data "
                        "device (/dev/sd[f-p], /dev/xvd[f-p], /dev/vd[b-z]).");
    }
    if (!seen.insert(is_root ? std::string(kRootDeviceName) : m.device).second) {
      return BadMapping(
          "The device '" + m.device + "' is used in more than one mapping" +
          (is_root ? " (/dev/vda, /dev/xvda and /dev/sda1 all name the root)." : "."));
    }
    if (is_root) {
      STRATO_RETURN_IF_ERROR(MergeRoot(m, root));
      continue;
    }
    STRATO_RETURN_IF_ERROR(
        ValidateVolumeSpec(m.volume, "InvalidBlockDeviceMapping", "the volume at " + m.device));
    data.push_back(m);
  }
  if (data.size() > static_cast<size_t>(kMaxVolumesPerInstance - 1)) {
    return BadRequest("AttachmentLimitExceeded", "At most " +
                                                     std::to_string(kMaxVolumesPerInstance - 1) +
                                                     " data volumes can be mapped at launch (" +
                                                     std::to_string(kMaxVolumesPerInstance) +
                                                     " disks per instance, the root included).");
  }
  return data;
}

Status AddDataVolumes(WriteTxn& t, const LaunchVolumes& l,
                      const std::vector<BlockDeviceRequest>& data) {
  for (const BlockDeviceRequest& m : data) {
    STRATO_ASSIGN_OR_RETURN(Volume v,
                            PrepareVolumeInTxn(t, l.instance.tenant_id, m.volume, l.zone, l.now));
    AttachAtLaunch(v, l, m.device, m.delete_on_termination.value_or(true));
    STRATO_RETURN_IF_ERROR(t.InsertVolume(v));
  }
  return OkStatus();
}

Status LoadBlockDevices(ReadTxn& t, std::vector<Instance>& instances) {
  if (instances.empty()) return OkStatus();
  VolumeFilter filter;
  std::unordered_map<std::string, Instance*> by_id;
  for (Instance& i : instances) {
    i.block_devices.clear();
    if (by_id.emplace(i.id, &i).second) filter.instance_ids.push_back(i.id);  // ids are unique
  }
  const int limit = static_cast<int>(std::min<size_t>(64 * filter.instance_ids.size(), 1 << 20));
  STRATO_ASSIGN_OR_RETURN(auto volumes, t.ListVolumes(Scope::System(), filter, {.limit = limit}));
  for (const Volume& v : volumes) {
    auto it = by_id.find(v.instance_id);
    if (it == by_id.end() || v.attach_state == AttachState::kDetached) continue;
    it->second->block_devices.push_back(BlockDevice{v.device, v.id, v.attach_state, v.attached_at,
                                                    v.delete_on_termination,
                                                    v.instance_store_root});
  }
  for (Instance& i : instances) {
    std::sort(i.block_devices.begin(), i.block_devices.end(),
              [](const BlockDevice& a, const BlockDevice& b) {
                return DeviceOrderLess(a.device, b.device);
              });
  }
  return OkStatus();
}

Status LoadBlockDevices(ReadTxn& t, Instance& instance) {
  std::vector<Instance> one{std::move(instance)};
  Status s = LoadBlockDevices(t, one);
  instance = std::move(one.front());
  return s;
}

}  // namespace strato
