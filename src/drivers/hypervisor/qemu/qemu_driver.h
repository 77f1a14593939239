#pragma once
// QemuDriver: one qemu-system-x86_64 process per VM, started directly (no shell),
// detached (-daemonize, own session) so VMs outlive a crash of stratod, and controlled
// only through QMP. Every state it reports was observed: the QMP connection closing
// means the process ended; a SHUTDOWN event tells a guest power-off from a crash.
//
// Per-VM files live in <vm_root>/<instance-id>/ (qmp.sock, qemu.pid, console.log,
// qemu.log) and are all removed by Destroy().
// Thread-safety: public methods are thread-safe (the agent calls them from its executor);
// events are reported from the driver's monitor thread.

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "drivers/hypervisor/hypervisor_driver.h"
#include "drivers/hypervisor/qemu/qmp_client.h"

namespace strato {

struct QemuDriverOptions {
  std::string binary = "qemu-system-x86_64";
  std::string vm_root;  // per-VM directories
  std::string kernel;   // the guest kernel (direct boot)
  std::string initrd;   // the guest initramfs
  std::string accel = "tcg";
  std::string microvm_append;  // see QemuPaths::microvm_append
  bool console_shell = false;  // see QemuPaths::console_shell
  std::string storage_root;    // where volume blobs live (<root>/<blob-id>.qcow2)
  std::chrono::milliseconds unplug_timeout{30000};  // guest's time to release a disk
  std::chrono::milliseconds stop_timeout{30000};  // graceful power-down before forcing
  size_t console_keep_bytes = 64 * 1024;
  size_t console_trim_bytes = 1024 * 1024;  // trim the log back to keep_bytes past this
  // Opens the tap of a NIC (in its VPC's namespace) and returns an fd the driver owns and
  // closes once QEMU holds it. Required when a VmSpec has NICs.
  std::function<Result<int>(const VmNic& nic)> open_tap;
};

class QemuDriver final : public HypervisorDriver {
 public:
  explicit QemuDriver(QemuDriverOptions options);
  ~QemuDriver() override;  // leaves VMs running: they belong to the host, not the process

  void SetEventSink(EventSink sink) override;
  Status Start(const VmSpec& spec) override;
  Status Stop(const std::string& instance_id, bool force) override;
  Status Reboot(const std::string& instance_id) override;
  Status Destroy(const std::string& instance_id) override;
  VmPowerState Adopt(const VmSpec& spec, VmPowerState believed) override;
  std::vector<std::string> ListVms() override;
  Result<std::string> ConsoleOutput(const std::string& instance_id, size_t max_bytes) override;
  Status AttachVolume(const std::string& instance_id, const VolumeAttachment& a) override;
  Status DetachVolume(const std::string& instance_id, const std::string& volume_id,
                      bool force) override;
  Status SnapshotVolume(const std::string& instance_id, const std::string& volume_id,
                        const std::string& overlay_blob_id) override;

 private:
  struct Vm {
    std::unique_ptr<QmpClient> qmp;
    pid_t pid = 0;
    bool stop_requested = false;
    bool destroying = false;
    bool guest_shutdown = false;  // a SHUTDOWN event said the guest powered off
    std::chrono::steady_clock::time_point force_at{};  // graceful stop deadline
  };

  std::string VmDir(const std::string& id) const;
  QmpClient* RunningQmp(const std::string& id);  // nullptr unless connected
  void OnDeviceDeleted(const std::string& id, const std::string& device);
  Status Attach(const std::string& id, pid_t pid);  // connects QMP; caller holds no lock
  void OnExit(const std::string& id);               // from the QMP reader thread
  void MonitorLoop();
  void Report(const std::string& id, VmPowerState state, std::string reason);

  const QemuDriverOptions options_;
  EventSink sink_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Vm> vms_;          // GUARDED_BY(mu_)
  std::deque<std::string> exited_;         // GUARDED_BY(mu_): VMs whose QMP closed
  bool stopping_ = false;                  // GUARDED_BY(mu_)
  std::set<std::string> deleted_devices_;  // GUARDED_BY(mu_): "<vm>/<device>" unplugged
  std::thread monitor_;
};

}  // namespace strato
