#include "drivers/hypervisor/sim/sim_driver.h"

namespace strato {

SimDriver::SimDriver(SimDriverOptions options) : options_(options) {
  if (options_.start_latency.count() > 0 || options_.stop_latency.count() > 0) {
    timer_thread_ = std::thread([this] { TimerLoop(); });
  }
}

SimDriver::~SimDriver() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (timer_thread_.joinable()) timer_thread_.join();
}

void SimDriver::SetEventSink(EventSink sink) { sink_ = std::move(sink); }

void SimDriver::Transition(const std::string& id, VmPowerState state,
                           std::chrono::milliseconds delay) {
  VmEvent event{id, state, ""};
  if (delay.count() > 0) {
    {
      std::lock_guard lock(mu_);
      timers_.emplace(std::chrono::steady_clock::now() + delay, std::move(event));
    }
    cv_.notify_all();
    return;
  }
  {
    std::lock_guard lock(mu_);
    auto it = vms_.find(id);
    if (it == vms_.end()) return;
    it->second.state = state;
    if (state == VmPowerState::kRunning) it->second.console += "STRATO-READY " + id + "\n";
  }
  if (sink_) sink_(event);
}

void SimDriver::TimerLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (timers_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto due = timers_.begin()->first;
    if (cv_.wait_until(lock, due) != std::cv_status::timeout) continue;
    auto node = timers_.extract(timers_.begin());
    lock.unlock();
    Transition(node.mapped().instance_id, node.mapped().state, std::chrono::milliseconds(0));
    lock.lock();
  }
}

Status SimDriver::Start(const VmSpec& spec) {
  {
    std::lock_guard lock(mu_);
    auto& vm = vms_[spec.instance_id];
    if (vm.state == VmPowerState::kRunning) return OkStatus();
    vm.console += "sim: booting " + spec.instance_id + " (" + std::to_string(spec.vcpus) +
                  " vCPU, " + std::to_string(spec.memory_mib) + " MiB)\n";
  }
  Transition(spec.instance_id, VmPowerState::kRunning, options_.start_latency);
  return OkStatus();
}

Status SimDriver::Stop(const std::string& id, bool force) {
  {
    std::lock_guard lock(mu_);
    auto it = vms_.find(id);
    if (it == vms_.end()) return NotFound("InvalidInstanceID.NotFound", "No VM " + id + ".");
    it->second.console += force ? "sim: forced power-off\n" : "sim: ACPI power-down\n";
  }
  Transition(id, VmPowerState::kStopped, force ? std::chrono::milliseconds(0) : options_.stop_latency);
  return OkStatus();
}

Status SimDriver::Reboot(const std::string& id) {
  std::lock_guard lock(mu_);
  auto it = vms_.find(id);
  if (it == vms_.end()) return NotFound("InvalidInstanceID.NotFound", "No VM " + id + ".");
  it->second.console += "sim: reset\nSTRATO-READY " + id + "\n";
  return OkStatus();
}

Status SimDriver::Destroy(const std::string& id) {
  {
    std::lock_guard lock(mu_);
    vms_.erase(id);
  }
  if (sink_) sink_(VmEvent{id, VmPowerState::kAbsent, ""});
  return OkStatus();
}

VmPowerState SimDriver::Adopt(const VmSpec& spec, VmPowerState believed) {
  std::lock_guard lock(mu_);
  auto [it, inserted] = vms_.try_emplace(spec.instance_id);
  if (inserted) it->second.state = believed;
  return it->second.state;
}

std::vector<std::string> SimDriver::ListVms() {
  std::lock_guard lock(mu_);
  std::vector<std::string> ids;
  for (const auto& [id, vm] : vms_) ids.push_back(id);
  return ids;
}

Result<std::string> SimDriver::ConsoleOutput(const std::string& id, size_t max_bytes) {
  std::lock_guard lock(mu_);
  auto it = vms_.find(id);
  if (it == vms_.end()) return std::string();
  const std::string& c = it->second.console;
  return c.size() > max_bytes ? c.substr(c.size() - max_bytes) : c;
}

}  // namespace strato
