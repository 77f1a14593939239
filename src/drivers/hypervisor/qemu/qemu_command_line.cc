#include "drivers/hypervisor/qemu/qemu_command_line.h"

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
