#include "drivers/hypervisor/qemu/qemu_command_line.h"

#include <algorithm>
#include <fstream>

namespace strato {

// Under TCG the guest's TSC runs at the host's rate; /proc/cpuinfo's "cpu MHz" is close
// enough for the kernel's early calibration.
std::string MicrovmTimingArgs() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("cpu MHz", 0) != 0) continue;
    auto colon = line.find(':');
    if (colon == std::string::npos) break;
    long khz = static_cast<long>(std::stod(line.substr(colon + 1)) * 1000);
    if (khz <= 0) break;
    return "tsc_early_khz=" + std::to_string(khz) + " lpj=" + std::to_string(khz * 1000 / 250) +
           " tsc=reliable";
  }
  return "";
}

std::string QmpSocketPath(const std::string& vm_dir) { return vm_dir + "/qmp.sock"; }
std::string PidFilePath(const std::string& vm_dir) { return vm_dir + "/qemu.pid"; }
std::string ConsolePath(const std::string& vm_dir) { return vm_dir + "/console.log"; }
std::string SerialSocketPath(const std::string& vm_dir) { return vm_dir + "/serial.sock"; }

std::string VolumeDeviceId(const std::string& volume_id) { return "dev-" + volume_id; }

VolumeBlockArgs VolumeBlock(const VolumeAttachment& a, const std::string& storage_root, int port) {
  using nlohmann::json;
  const std::string& v = a.volume_id;
  json limits = json::object();
  const ThrottleLimits& t = a.throttle;
  auto put = [&](const char* key, int64_t value) {
    if (value > 0) limits[key] = value;
  };
  put("iops-total", t.iops_total);
  put("iops-total-max", t.iops_total_max);
  put("iops-total-max-length", t.iops_total_max_length);
  put("bps-total", t.bps_total);
  put("bps-total-max", t.bps_total_max);
  put("bps-total-max-length", t.bps_total_max_length);
  std::string serial = v;
  serial.erase(std::remove(serial.begin(), serial.end(), '-'), serial.end());
  VolumeBlockArgs out;
  out.throttle_group = {{"qom-type", "throttle-group"}, {"id", "tg-" + v}, {"limits", limits}};
  out.format_node = {{"driver", "qcow2"},
                     {"node-name", "fmt-" + v},
                     {"file", {{"driver", "file"},
                               {"filename", storage_root + "/" + a.blob_id + ".qcow2"}}}};
  out.throttle_node = {{"driver", "throttle"},
                       {"node-name", "thr-" + v},
                       {"throttle-group", "tg-" + v},
                       {"file", "fmt-" + v}};
  out.device = {{"driver", "virtio-blk-pci"},
                {"id", VolumeDeviceId(v)},
                {"drive", "thr-" + v},
                {"bus", "hp" + std::to_string(port)},
                {"serial", serial.substr(0, 20)}};
  return out;
}

std::vector<std::string> QemuCommandLine(const std::string& binary, const VmSpec& spec,
                                         const QemuPaths& paths, const std::string& accel) {
  const bool micro = spec.machine == "microvm";
  std::vector<std::string> a = {binary, "-nodefaults", "-no-user-config", "-display", "none"};
  // The name carries the instance id so stray processes can be recognised after a crash.
  a.insert(a.end(), {"-name", "strato-" + spec.instance_id + ",process=strato-" + spec.instance_id});
  if (micro) {
    a.insert(a.end(), {"-M", "microvm,x-option-roms=off,isa-serial=on,rtc=on,acpi=on"});
  } else {
    a.insert(a.end(), {"-M", "q35"});
    // Root ports to hot-plug volumes into (the root complex itself takes no hot-plug).
    for (int p = 0; p < kHotplugPorts; ++p) {
      a.insert(a.end(), {"-device", "pcie-root-port,id=hp" + std::to_string(p) + ",chassis=" +
                                        std::to_string(p + 1) + ",slot=" + std::to_string(p)});
    }
    for (size_t i = 0; i < spec.volumes.size() && i < kHotplugPorts; ++i) {
      VolumeBlockArgs b = VolumeBlock(spec.volumes[i], paths.storage_root, static_cast<int>(i));
      a.insert(a.end(), {"-object", b.throttle_group.dump(), "-blockdev", b.format_node.dump(), "-blockdev",
                         b.throttle_node.dump(), "-device", b.device.dump()});
    }
  }
  a.insert(a.end(), {"-accel", accel});
  if (accel == "kvm") a.insert(a.end(), {"-cpu", "host"});
  a.insert(a.end(), {"-smp", std::to_string(spec.vcpus)});
  a.insert(a.end(), {"-m", std::to_string(spec.memory_mib) + "M"});
  a.insert(a.end(), {"-kernel", paths.kernel, "-initrd", paths.initrd});
  std::string append = "console=ttyS0 panic=-1 quiet strato.id=" + spec.instance_id;
  if (micro && !paths.microvm_append.empty()) append += " " + paths.microvm_append;
  if (paths.console_shell) append += " strato.shell=1";
  a.insert(a.end(), {"-append", append});
  // A socket nobody is connected to drops input and output alike; the log file keeps all.
  a.insert(a.end(), {"-chardev",
                     "socket,id=console0,path=" + SerialSocketPath(paths.vm_dir) +
                         ",server=on,wait=off,logfile=" + ConsolePath(paths.vm_dir) +
                         ",logappend=on",
                     "-serial", "chardev:console0"});
  a.insert(a.end(), {"-qmp", "unix:" + QmpSocketPath(paths.vm_dir) + ",server=on,wait=off"});
  // A second monitor for operators and tests (stratod never uses it): e.g. pressing the
  // ACPI power button as if from inside, without going through the control plane.
  a.insert(a.end(), {"-qmp", "unix:" + paths.vm_dir + "/ops.sock,server=on,wait=off"});
  // NIC k uses the tap fd the driver passes as fd 3 + k (opened in the VPC's namespace).
  for (size_t k = 0; k < spec.nics.size(); ++k) {
    std::string id = "nic" + std::to_string(k);
    a.insert(a.end(), {"-netdev", "tap,id=" + id + ",fd=" + std::to_string(3 + k), "-device",
                       std::string(micro ? "virtio-net-device" : "virtio-net-pci") +
                           ",netdev=" + id + ",mac=" + spec.nics[k].mac});
  }
  a.insert(a.end(), {"-pidfile", PidFilePath(paths.vm_dir), "-daemonize"});
  // A guest panic or reboot loop must not spin forever: panic=-1 reboots, and QEMU keeps
  // running; only a power-off ends the process.
  return a;
}

}  // namespace strato
