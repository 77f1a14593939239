#pragma once
// Builds the qemu-system-x86_64 argument vector for one VM. Pure: no I/O, unit-tested.
// q35 for standard families (PCI, ACPI power button, hot-plug later); microvm for the
// micro family (virtio-mmio, no firmware tables to emulate, fast boot).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/volume_model.h"
#include "drivers/hypervisor/hypervisor_driver.h"

namespace strato {

struct QemuPaths {
  std::string vm_dir;   // holds qmp.sock, qemu.pid, console.log, serial.sock
  std::string kernel;   // direct-boot kernel
  std::string initrd;   // direct-boot initramfs
  // Extra kernel arguments for microvm guests: under TCG an ACPI microvm has no timer to
  // calibrate against, so the kernel must be told the TSC rate (see MicrovmTimingArgs).
  std::string microvm_append;
  // Asks the Strato guest image for a root shell on its serial console (strato.shell=1):
  // the operator's and the test suite's way into a guest without a network.
  bool console_shell = false;
  std::string storage_root;  // volume blobs: <storage_root>/<blob-id>.qcow2
};

// q35 VMs get this many PCIe root ports (hp0…) so volumes can be hot-plugged: one per disk
// an instance may have.
inline constexpr int kHotplugPorts = kMaxVolumesPerInstance;

// The QEMU pieces of one volume, shared by the command line (cold plug) and QMP (hot plug).
struct VolumeBlockArgs {
  nlohmann::json throttle_group;  // object-add arguments
  nlohmann::json format_node;     // blockdev-add: qcow2 over the file
  nlohmann::json throttle_node;   // blockdev-add: throttle filter over the format node
  nlohmann::json device;          // device_add: virtio-blk-pci on root port `port`
};
VolumeBlockArgs VolumeBlock(const VolumeAttachment& a, const std::string& storage_root, int port);
std::string VolumeDeviceId(const std::string& volume_id);  // the device's QOM id

// "tsc_early_khz=… lpj=… tsc=reliable" from the host's TSC rate ('' if unknown).
std::string MicrovmTimingArgs();

std::vector<std::string> QemuCommandLine(const std::string& binary, const VmSpec& spec,
                                         const QemuPaths& paths, const std::string& accel);

std::string QmpSocketPath(const std::string& vm_dir);
std::string PidFilePath(const std::string& vm_dir);
std::string ConsolePath(const std::string& vm_dir);
// The serial console as a unix socket (like `virsh console`), for root on the host only.
// Everything the guest writes is also appended to ConsolePath.
std::string SerialSocketPath(const std::string& vm_dir);

}  // namespace strato
