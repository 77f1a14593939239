// QemuDriver's volume hot-plug over QMP, and the per-VM port map.
#include "drivers/hypervisor/qemu/qemu_volumes.h"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "drivers/hypervisor/qemu/qemu_command_line.h"
#include "drivers/hypervisor/qemu/qemu_driver.h"

namespace strato {

namespace fs = std::filesystem;
using nlohmann::json;

PortMap ReadPortMap(const std::string& vm_dir) {
  std::ifstream f(vm_dir + "/volumes.json");
  std::stringstream text;
  text << f.rdbuf();
  json j = json::parse(text.str(), nullptr, false);
  PortMap out;
  if (j.is_object()) {
    for (auto& [k, v] : j.items()) {
      if (v.is_number_integer()) out[k] = v.get<int>();
    }
  }
  return out;
}

void WritePortMap(const std::string& vm_dir, const PortMap& ports) {
  const std::string tmp = vm_dir + "/volumes.json.tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << json(ports).dump();
  }
  std::error_code ec;
  fs::rename(tmp, vm_dir + "/volumes.json", ec);
}

NodeMap ReadNodeMap(const std::string& vm_dir) {
  std::ifstream f(vm_dir + "/nodes.json");
  std::stringstream text;
  text << f.rdbuf();
  json j = json::parse(text.str(), nullptr, false);
  NodeMap out;
  if (j.is_object()) {
    for (auto& [k, v] : j.items()) {
      if (v.is_array()) out[k] = v.get<std::vector<std::string>>();
    }
  }
  return out;
}

void WriteNodeMap(const std::string& vm_dir, const NodeMap& nodes) {
  const std::string tmp = vm_dir + "/nodes.json.tmp";
  {
    std::ofstream f(tmp, std::ios::trunc);
    f << json(nodes).dump();
  }
  std::error_code ec;
  fs::rename(tmp, vm_dir + "/nodes.json", ec);
}

QmpClient* QemuDriver::RunningQmp(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = vms_.find(id);
  if (it == vms_.end() || !it->second.qmp || it->second.qmp->closed()) return nullptr;
  return it->second.qmp.get();
}

void QemuDriver::OnDeviceDeleted(const std::string& id, const std::string& device) {
  {
    std::lock_guard lock(mu_);
    deleted_devices_.insert(id + "/" + device);
  }
  cv_.notify_all();
}

namespace {

// True when QOM has a device with this id (hot-plugged devices live in /machine/peripheral).
Result<bool> HasDevice(QmpClient& qmp, const std::string& device_id) {
  STRATO_ASSIGN_OR_RETURN(auto list, qmp.Execute("qom-list", {{"path", "/machine/peripheral"}}));
  for (const auto& entry : list) {
    if (entry.value("name", "") == device_id) return true;
  }
  return false;
}

// Removes the block nodes (top first) and the throttle group of a volume; absent pieces
// are fine.
void RemoveBackend(QmpClient& qmp, const std::string& vm_dir, const std::string& volume_id) {
  (void)qmp.Execute("blockdev-del", {{"node-name", "thr-" + volume_id}});
  NodeMap nodes = ReadNodeMap(vm_dir);
  std::vector<std::string> chain = nodes[volume_id];
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    if (*it != "fmt-" + volume_id) (void)qmp.Execute("blockdev-del", {{"node-name", *it}});
  }
  (void)qmp.Execute("blockdev-del", {{"node-name", "fmt-" + volume_id}});
  (void)qmp.Execute("object-del", {{"id", "tg-" + volume_id}});
  if (nodes.erase(volume_id) && fs::exists(vm_dir)) WriteNodeMap(vm_dir, nodes);
}

// A grow while plugged: QEMU resizes the open image and tells the guest.
Status GrowTo(QmpClient& qmp, const VolumeAttachment& a) {
  if (a.size_bytes <= 0) return OkStatus();
  STRATO_ASSIGN_OR_RETURN(auto nodes, qmp.Execute("query-named-block-nodes", {{"flat", true}}));
  int64_t current = 0;
  for (const auto& n : nodes) {
    if (n.value("node-name", "") == "thr-" + a.volume_id && n.contains("image")) {
      current = n["image"].value("virtual-size", int64_t{0});
    }
  }
  if (current == 0 || current >= a.size_bytes) return OkStatus();
  // Through the device's own node (the throttle filter): the device and guest hear of it.
  return qmp.Execute("block_resize", {{"node-name", "thr-" + a.volume_id}, {"size", a.size_bytes}})
      .status();
}

}  // namespace

Status QemuDriver::AttachVolume(const std::string& id, const VolumeAttachment& a) {
  QmpClient* qmp = RunningQmp(id);
  if (!qmp) return IncorrectInstanceState("The VM " + id + " is not running.");
  const std::string dir = VmDir(id);
  STRATO_ASSIGN_OR_RETURN(bool present, HasDevice(*qmp, VolumeDeviceId(a.volume_id)));
  if (present) {
    // Plugged already: bring its throttle group to the volume's current limits (a modify).
    // Every rate explicitly (0 lifts it): qom-set only changes the fields it is given.
    const ThrottleLimits& t = a.throttle;
    json limits{{"iops-total", t.iops_total}, {"iops-total-max", t.iops_total_max},
                {"bps-total", t.bps_total}, {"bps-total-max", t.bps_total_max}};
    if (t.iops_total_max_length > 0) limits["iops-total-max-length"] = t.iops_total_max_length;
    if (t.bps_total_max_length > 0) limits["bps-total-max-length"] = t.bps_total_max_length;
    Status s = qmp->Execute("qom-set", {{"path", "/objects/tg-" + a.volume_id},
                                        {"property", "limits"},
                                        {"value", limits}})
                   .status();
    if (s.ok()) s = GrowTo(*qmp, a);
    if (s.ok()) spdlog::info("qemu: {} on {} throttled anew", a.volume_id, id);
    return s;
  }
  PortMap ports = ReadPortMap(dir);
  ports.erase(a.volume_id);
  int port = -1;
  for (int p = 0; p < kHotplugPorts && port < 0; ++p) {
    bool used = false;
    for (const auto& [vol, q] : ports) used = used || q == p;
    if (!used) port = p;
  }
  if (port < 0) {
    return BadRequest("AttachmentLimitExceeded",
                      "The VM " + id + " has no free hot-plug slot (" +
                          std::to_string(kHotplugPorts) + " volumes at most).");
  }
  RemoveBackend(*qmp, dir, a.volume_id);  // leftovers of an interrupted attach
  VolumeBlockArgs b = VolumeBlock(a, options_.storage_root, port);
  Status s = qmp->Execute("object-add", b.throttle_group).status();
  if (s.ok()) s = qmp->Execute("blockdev-add", b.format_node).status();
  if (s.ok()) s = qmp->Execute("blockdev-add", b.throttle_node).status();
  if (s.ok()) s = qmp->Execute("device_add", b.device).status();
  if (s.ok()) s = GrowTo(*qmp, a);
  if (!s.ok()) {
    RemoveBackend(*qmp, dir, a.volume_id);
    return Internal("hot-plugging " + a.volume_id + " into " + id + " failed: " + s.message());
  }
  ports[a.volume_id] = port;
  WritePortMap(dir, ports);
  NodeMap nodes = ReadNodeMap(dir);
  nodes[a.volume_id] = {"fmt-" + a.volume_id};
  WriteNodeMap(dir, nodes);
  spdlog::info("qemu: {} attached to {} on port hp{}", a.volume_id, id, port);
  return OkStatus();
}

Status QemuDriver::DetachVolume(const std::string& id, const std::string& volume_id, bool force) {
  QmpClient* qmp = RunningQmp(id);
  const std::string dir = VmDir(id);
  if (!qmp) {
    // Not running: nothing holds the file; the next start will not plug it.
    PortMap ports = ReadPortMap(dir);
    if (ports.erase(volume_id) && fs::exists(dir)) WritePortMap(dir, ports);
    return OkStatus();
  }
  const std::string device = VolumeDeviceId(volume_id);
  STRATO_ASSIGN_OR_RETURN(bool present, HasDevice(*qmp, device));
  if (present) {
    {
      std::lock_guard lock(mu_);
      deleted_devices_.erase(id + "/" + device);
    }
    Status s = qmp->Execute("device_del", {{"id", device}}).status();
    if (!s.ok()) return Internal("unplugging " + volume_id + " failed: " + s.message());
    // The guest acknowledges the unplug; only then is the disk really gone.
    const auto timeout = force ? options_.unplug_timeout / 6 : options_.unplug_timeout;
    std::unique_lock lock(mu_);
    bool gone = cv_.wait_for(lock, timeout, [&] {
      return deleted_devices_.count(id + "/" + device) > 0;
    });
    deleted_devices_.erase(id + "/" + device);
    lock.unlock();
    if (!gone) {
      auto still = HasDevice(*qmp, device);
      if (!still.ok() || *still) {
        return Unavailable("the guest of " + id + " has not released " + volume_id + " yet");
      }
    }
  }
  RemoveBackend(*qmp, dir, volume_id);
  PortMap ports = ReadPortMap(dir);
  ports.erase(volume_id);
  WritePortMap(dir, ports);
  spdlog::info("qemu: {} detached from {}", volume_id, id);
  return OkStatus();
}

}  // namespace strato

namespace strato {

Status QemuDriver::SnapshotVolume(const std::string& id, const std::string& volume_id,
                                  const std::string& overlay_blob_id) {
  QmpClient* qmp = RunningQmp(id);
  if (!qmp) return IncorrectInstanceState("The VM " + id + " is not running.");
  const std::string dir = VmDir(id);
  NodeMap nodes = ReadNodeMap(dir);
  std::vector<std::string>& chain = nodes[volume_id];
  if (chain.empty()) chain.push_back("fmt-" + volume_id);
  const std::string overlay = "ov-" + overlay_blob_id.substr(overlay_blob_id.find('-') + 1);
  if (chain.back() == overlay) return OkStatus();  // switched already
  (void)qmp->Execute("blockdev-del", {{"node-name", overlay}});  // a half-done earlier try
  // The overlay opens without its backing: blockdev-snapshot gives it the node in use.
  Status s = qmp->Execute("blockdev-add",
                          {{"driver", "qcow2"},
                           {"node-name", overlay},
                           {"backing", nullptr},
                           {"file", {{"driver", "file"},
                                     {"filename", options_.storage_root + "/" +
                                                      overlay_blob_id + ".qcow2"}}}})
                 .status();
  if (s.ok()) {
    s = qmp->Execute("blockdev-snapshot", {{"node", chain.back()}, {"overlay", overlay}}).status();
    if (!s.ok()) (void)qmp->Execute("blockdev-del", {{"node-name", overlay}});
  }
  if (!s.ok()) return Internal("live snapshot of " + volume_id + " failed: " + s.message());
  chain.push_back(overlay);
  WriteNodeMap(dir, nodes);
  spdlog::info("qemu: {} on {} continues on {}", volume_id, id, overlay_blob_id);
  return OkStatus();
}

}  // namespace strato
