#pragma once
// SimDriver: a hypervisor whose guests are records. Start/stop take a configurable
// latency (default 0: reported at once). It implements the full driver contract and
// serves scale benchmarks and the what-if simulator, not only tests.
//
// Sim guests model VMs on an external machine: they outlive a restart of stratod, so
// Adopt() trusts the control plane's belief.
// Thread-safety: all methods are thread-safe; delayed events fire on a timer thread.

#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "drivers/hypervisor/hypervisor_driver.h"

namespace strato {

struct SimDriverOptions {
  std::chrono::milliseconds start_latency{0};
  std::chrono::milliseconds stop_latency{0};
};

class SimDriver final : public HypervisorDriver {
 public:
  explicit SimDriver(SimDriverOptions options = {});
  ~SimDriver() override;

  void SetEventSink(EventSink sink) override;
  Status Start(const VmSpec& spec) override;
  Status Stop(const std::string& instance_id, bool force) override;
  Status Reboot(const std::string& instance_id) override;
  Status Destroy(const std::string& instance_id) override;
  VmPowerState Adopt(const VmSpec& spec, VmPowerState believed) override;
  std::vector<std::string> ListVms() override;
  Result<std::string> ConsoleOutput(const std::string& instance_id, size_t max_bytes) override;
  // Simulated VMs have no disks: plugging and unplugging always succeed.
  Status AttachVolume(const std::string&, const VolumeAttachment&) override { return OkStatus(); }
  Status DetachVolume(const std::string&, const std::string&, bool) override { return OkStatus(); }
  Status SnapshotVolume(const std::string&, const std::string&, const std::string&) override {
    return OkStatus();
  }

 private:
  struct Vm {
    VmPowerState state = VmPowerState::kStopped;
    std::string console;
  };
  // Applies `state` after `delay` (now if zero) and reports it.
  void Transition(const std::string& id, VmPowerState state, std::chrono::milliseconds delay);
  void TimerLoop();

  const SimDriverOptions options_;
  EventSink sink_;
  std::mutex mu_;
  std::map<std::string, Vm> vms_;  // GUARDED_BY(mu_)
  std::multimap<std::chrono::steady_clock::time_point, VmEvent> timers_;  // GUARDED_BY(mu_)
  std::condition_variable cv_;
  bool stopping_ = false;  // GUARDED_BY(mu_)
  std::thread timer_thread_;  // only when a latency is configured
};

}  // namespace strato
