#include "drivers/hypervisor/qemu/qemu_driver.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "drivers/hypervisor/qemu/process_util.h"
#include "drivers/hypervisor/qemu/qemu_command_line.h"
#include "drivers/hypervisor/qemu/qemu_volumes.h"

namespace strato {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

QemuDriver::QemuDriver(QemuDriverOptions options) : options_(std::move(options)) {
  std::error_code ec;
  fs::create_directories(options_.vm_root, ec);
  monitor_ = std::thread([this] { MonitorLoop(); });
}

QemuDriver::~QemuDriver() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  monitor_.join();
  std::map<std::string, Vm> vms;
  {
    std::lock_guard lock(mu_);
    vms.swap(vms_);
  }
  for (auto& [id, vm] : vms)
    if (vm.qmp) vm.qmp->Close();
}

void QemuDriver::SetEventSink(EventSink sink) { sink_ = std::move(sink); }

std::string QemuDriver::VmDir(const std::string& id) const { return options_.vm_root + "/" + id; }

void QemuDriver::Report(const std::string& id, VmPowerState state, std::string reason) {
  if (sink_) sink_(VmEvent{id, state, std::move(reason)});
}

Status QemuDriver::Attach(const std::string& id, pid_t pid) {
  auto qmp = QmpClient::Connect(
      QmpSocketPath(VmDir(id)), 5s,
      [this, id](const std::string& event, const nlohmann::json& data) {
        if (event == "DEVICE_DELETED" && data.contains("device")) {
          OnDeviceDeleted(id, data["device"].get<std::string>());
        }
        if (event == "SHUTDOWN") {
          std::lock_guard lock(mu_);
          auto it = vms_.find(id);
          if (it != vms_.end()) it->second.guest_shutdown = data.value("guest", false);
        }
      },
      [this, id] { OnExit(id); });
  if (!qmp.ok()) return qmp.status();
  std::lock_guard lock(mu_);
  Vm& vm = vms_[id];
  vm.qmp = std::move(qmp).value();
  vm.pid = pid;
  vm.stop_requested = false;
  vm.guest_shutdown = false;
  vm.force_at = {};
  return OkStatus();
}

void QemuDriver::OnExit(const std::string& id) {
  {
    std::lock_guard lock(mu_);
    exited_.push_back(id);
  }
  cv_.notify_all();
}

Status QemuDriver::Start(const VmSpec& spec) {
  const std::string& id = spec.instance_id;
  {
    std::lock_guard lock(mu_);
    auto it = vms_.find(id);
    if (it != vms_.end() && it->second.qmp && !it->second.qmp->closed()) {
      Report(id, VmPowerState::kRunning, "");
      return OkStatus();
    }
  }
  const std::string dir = VmDir(id);
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Internal("cannot create " + dir + ": " + ec.message());
  fs::remove(QmpSocketPath(dir), ec);
  fs::remove(PidFilePath(dir), ec);
  fs::remove(SerialSocketPath(dir), ec);
  auto argv = QemuCommandLine(options_.binary, spec,
                              {dir, options_.kernel, options_.initrd, options_.microvm_append,
                               options_.console_shell, options_.storage_root},
                              options_.accel);
  const std::string log = dir + "/qemu.log";
  {
    // Cold-plugged volumes sit on the first root ports (see QemuCommandLine).
    PortMap ports;
    for (size_t i = 0; i < spec.volumes.size(); ++i) ports[spec.volumes[i].volume_id] = int(i);
    WritePortMap(dir, spec.machine == "microvm" ? PortMap{} : ports);
    NodeMap nodes;
    for (const auto& v : spec.volumes) nodes[v.volume_id] = {"fmt-" + v.volume_id};
    WriteNodeMap(dir, nodes);
  }
  std::vector<int> taps;
  auto close_taps = [&] {
    for (int fd : taps) ::close(fd);
  };
  for (const auto& nic : spec.nics) {
    auto fd = options_.open_tap ? options_.open_tap(nic)
                                : Result<int>(Internal("this host has no network driver"));
    if (!fd.ok()) {
      close_taps();
      return Internal("cannot open the tap of " + nic.port_id + ": " + fd.status().message());
    }
    taps.push_back(*fd);
  }
  auto rc = RunAndWait(argv, log, 60s, taps);
  close_taps();
  if (!rc.ok()) return rc.status();
  if (*rc != 0) {
    std::string why = ReadTail(log, 400);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return Internal("QEMU failed to start (exit " + std::to_string(*rc) + ")" +
                    (why.empty() ? std::string() : ": " + why));
  }
  pid_t pid = ReadPidFile(PidFilePath(dir));
  Status s = Attach(id, pid);
  if (!s.ok()) {
    KillAndWait(pid, 5s);
    return Internal("QEMU started but its QMP socket did not answer: " + s.message());
  }
  spdlog::info("qemu: {} started (pid {}, {}, {})", id, pid, spec.machine, options_.accel);
  Report(id, VmPowerState::kRunning, "");
  return OkStatus();
}

Status QemuDriver::Stop(const std::string& id, bool force) {
  QmpClient* qmp = nullptr;
  bool press_button = false;
  {
    std::lock_guard lock(mu_);
    auto it = vms_.find(id);
    if (it == vms_.end() || !it->second.qmp || it->second.qmp->closed()) {
      Report(id, VmPowerState::kStopped, "");
      return OkStatus();
    }
    Vm& vm = it->second;
    // The agent repeats desired state on every sync; a stop already under way must not press
    // the power button again (the guest would hear it twice) nor push the deadline back.
    const bool pressed = vm.stop_requested;
    const auto now = std::chrono::steady_clock::now();
    const auto deadline = force ? now : now + options_.stop_timeout;
    if (!pressed || deadline < vm.force_at) vm.force_at = deadline;
    vm.stop_requested = true;
    qmp = vm.qmp.get();
    press_button = !force && !pressed;
  }
  cv_.notify_all();
  if (press_button) {
    auto r = qmp->Execute("system_powerdown");
    if (!r.ok()) spdlog::warn("qemu: {} system_powerdown: {}", id, r.status().message());
  }
  return OkStatus();
}

Status QemuDriver::Reboot(const std::string& id) {
  QmpClient* qmp = nullptr;
  {
    std::lock_guard lock(mu_);
    auto it = vms_.find(id);
    if (it == vms_.end() || !it->second.qmp) {
      return IncorrectInstanceState("The VM " + id + " is not running.");
    }
    qmp = it->second.qmp.get();
  }
  return qmp->Execute("system_reset").status();
}

Status QemuDriver::Destroy(const std::string& id) {
  std::unique_ptr<QmpClient> qmp;
  pid_t pid = 0;
  {
    std::lock_guard lock(mu_);
    auto it = vms_.find(id);
    if (it != vms_.end()) {
      it->second.destroying = true;
      qmp = std::move(it->second.qmp);
      pid = it->second.pid;
    }
  }
  const std::string dir = VmDir(id);
  if (pid == 0) pid = ReadPidFile(PidFilePath(dir));
  if (pid > 0 && ProcessCommandLine(pid).find(dir) == std::string::npos) pid = 0;  // reused pid
  if (qmp) {
    (void)qmp->Execute("quit", nullptr, 2s);
    qmp->Close();
  }
  if (pid > 0 && !WaitGone(pid, 3s)) KillAndWait(pid, 5s);
  std::error_code ec;
  fs::remove_all(dir, ec);
  {
    std::lock_guard lock(mu_);
    vms_.erase(id);
  }
  Report(id, VmPowerState::kAbsent, "");
  return ec ? Internal("cannot remove " + dir + ": " + ec.message()) : OkStatus();
}

VmPowerState QemuDriver::Adopt(const VmSpec& spec, VmPowerState believed) {
  const std::string& id = spec.instance_id;
  {
    std::lock_guard lock(mu_);
    auto it = vms_.find(id);
    if (it != vms_.end() && it->second.qmp && !it->second.qmp->closed()) {
      return VmPowerState::kRunning;
    }
  }
  const std::string dir = VmDir(id);
  pid_t pid = ReadPidFile(PidFilePath(dir));
  if (pid > 0 && ProcessAlive(pid) && ProcessCommandLine(pid).find(dir) != std::string::npos) {
    if (Attach(id, pid).ok()) {
      spdlog::info("qemu: re-attached to {} (pid {})", id, pid);
      return VmPowerState::kRunning;
    }
    KillAndWait(pid, 5s);  // alive but unreachable: it can never be controlled again
  }
  (void)believed;
  return fs::exists(dir) ? VmPowerState::kStopped : VmPowerState::kAbsent;
}

std::vector<std::string> QemuDriver::ListVms() {
  std::vector<std::string> ids;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(options_.vm_root, ec)) {
    if (e.is_directory()) ids.push_back(e.path().filename().string());
  }
  // QEMU processes of this host whose directory is gone are strays: end them.
  for (pid_t pid : FindProcesses(options_.vm_root + "/")) {
    std::string cmd = ProcessCommandLine(pid);
    bool owned = false;
    for (const auto& id : ids) owned = owned || cmd.find(VmDir(id) + "/") != std::string::npos;
    if (!owned && cmd.find("qemu-system") != std::string::npos) {
      spdlog::warn("qemu: ending stray QEMU process {}", pid);
      KillAndWait(pid, 5s);
    }
  }
  return ids;
}

Result<std::string> QemuDriver::ConsoleOutput(const std::string& id, size_t max_bytes) {
  return ReadTail(ConsolePath(VmDir(id)), max_bytes);
}

void QemuDriver::MonitorLoop() {
  std::unique_lock lock(mu_);
  auto next_trim = std::chrono::steady_clock::now();
  while (!stopping_) {
    cv_.wait_for(lock, 200ms);
    // Processes that ended: report what happened.
    while (!exited_.empty()) {
      std::string id = std::move(exited_.front());
      exited_.pop_front();
      auto it = vms_.find(id);
      if (it == vms_.end() || it->second.destroying) continue;
      Vm vm = std::move(it->second);
      vms_.erase(it);
      lock.unlock();
      if (vm.qmp) vm.qmp->Close();
      std::error_code ec;
      fs::remove(QmpSocketPath(VmDir(id)), ec);
      fs::remove(PidFilePath(VmDir(id)), ec);
      std::string reason;
      if (!vm.stop_requested && !vm.guest_shutdown) reason = "QEMU exited unexpectedly";
      spdlog::info("qemu: {} exited ({})", id, reason.empty() ? "powered off" : reason);
      Report(id, VmPowerState::kStopped, reason);
      lock.lock();
    }
    // Graceful stops past their deadline are forced.
    auto now = std::chrono::steady_clock::now();
    for (auto& [id, vm] : vms_) {
      if (vm.stop_requested && vm.force_at != std::chrono::steady_clock::time_point{} &&
          now >= vm.force_at && vm.qmp) {
        vm.force_at = {};
        pid_t pid = vm.pid;
        std::thread([pid] { KillAndWait(pid, 5s); }).detach();
      }
    }
    if (now >= next_trim) {
      next_trim = now + 1s;
      for (auto& [id, vm] : vms_) {
        std::string path = ConsolePath(VmDir(id));
        std::error_code ec;
        auto size = fs::file_size(path, ec);
        if (ec || size <= options_.console_trim_bytes) continue;
        // QEMU appends (logappend=on opens it O_APPEND), so truncating and writing back the tail is safe.
        std::string tail = ReadTail(path, options_.console_keep_bytes);
        fs::resize_file(path, 0, ec);
        std::ofstream(path, std::ios::app | std::ios::binary) << tail;
      }
    }
  }
}

}  // namespace strato
