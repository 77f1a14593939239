#include "agent/host_agent.h"

#include <spdlog/spdlog.h>

#include <future>
#include <nlohmann/json.hpp>

#include "agent/agent_messages.h"
#include "drivers/network/network_plan.h"

namespace strato {

using nlohmann::json;

HostAgent::HostAgent(std::string host_id, std::unique_ptr<HypervisorDriver> driver,
                     SerialExecutor& executor, ReportFn report,
                     std::unique_ptr<NetworkDriver> network,
                     std::unique_ptr<MetadataService> metadata)
    : host_id_(std::move(host_id)),
      driver_(std::move(driver)),
      executor_(executor),
      report_(std::move(report)),
      network_(std::move(network)),
      metadata_(std::move(metadata)) {
  driver_->SetEventSink([this](const VmEvent& e) { Report(e); });
}

void HostAgent::Report(const VmEvent& e) {
  int64_t generation = 0;
  {
    std::lock_guard lock(mu_);
    auto it = generation_.find(e.instance_id);
    if (it != generation_.end()) generation = it->second;
  }
  report_(EncodeReport(AgentReport{host_id_, e.instance_id, e.state, e.reason, generation}));
}

void HostAgent::HeardGeneration(const std::string& instance_id, int64_t generation) {
  std::lock_guard lock(mu_);
  generation_[instance_id] = generation;
}

Status HostAgent::ReconcileNetwork() {
  if (!network_) return OkStatus();
  // The host's data plane as the VMs it keeps need it: per VPC its subnets (one static
  // DHCP entry per NIC) and one port per NIC.
  std::map<std::string, VpcSpec> vpcs;
  std::map<std::string, std::map<std::string, SubnetSpec>> subnets;  // vpc → subnet id → spec
  for (const auto& [instance_id, nics] : nics_) {
    for (const auto& n : nics) {
      vpcs[n.vpc_id].id = n.vpc_id;
      vpcs[n.vpc_id].ports.push_back(
          PortSpec{n.port_id, n.subnet_id, n.mac, n.ip, n.public_ip, n.firewall});
      SubnetSpec& s = subnets[n.vpc_id][n.subnet_id];
      s.id = n.subnet_id;
      s.cidr = n.subnet_cidr;
      s.hosts.push_back(DhcpHostSpec{n.mac, n.ip, instance_id});
    }
  }
  HostNetworkSpec spec;
  for (auto& [vpc_id, v] : vpcs) {
    for (auto& [subnet_id, s] : subnets[vpc_id]) v.subnets.push_back(std::move(s));
    spec.vpcs.push_back(std::move(v));
  }
  Status s = network_->Reconcile(spec);
  if (!s.ok()) spdlog::warn("agent {}: network reconcile failed: {}", host_id_, s.ToString());
  if (metadata_) {
    std::map<std::string, std::vector<GuardedPort>> guarded;
    for (const auto& v : spec.vpcs) guarded[v.id];
    for (const auto& [instance_id, nics] : nics_)
      for (const auto& n : nics) guarded[n.vpc_id].push_back({TapName(n.port_id), n.mac, n.ip});
    Status m = metadata_->SyncListeners(guarded);
    if (s.ok()) s = m;
  }
  return s;
}

bool HostAgent::FirewallChangedOnly(const std::vector<VmNic>& before,
                                    const std::vector<VmNic>& after) {
  if (before.size() != after.size()) return false;
  bool changed = false;
  for (size_t k = 0; k < before.size(); ++k) {
    const VmNic &a = before[k], &b = after[k];
    if (a.port_id != b.port_id || a.vpc_id != b.vpc_id || a.subnet_id != b.subnet_id ||
        a.subnet_cidr != b.subnet_cidr || a.mac != b.mac || a.ip != b.ip)
      return false;
    changed = changed || a.public_ip != b.public_ip || !(a.firewall == b.firewall);
  }
  return changed;
}

void HostAgent::ScheduleNetworkReconcile() {
  if (network_reconcile_queued_) return;
  network_reconcile_queued_ = true;
  // Runs after the messages already queued: a burst of changes costs one reconcile.
  executor_.Post([this] {
    network_reconcile_queued_ = false;
    (void)ReconcileNetwork();
  });
}

void HostAgent::Deliver(std::string message_json) {
  // A sync states everything the host should keep, so one still queued behind a newer sync
  // is stale: it is skipped. Otherwise, when a reconcile takes longer than the resync
  // interval (a loaded machine), syncs pile up ahead of the applies and attaches behind them.
  const uint64_t sync = IsSyncMessage(message_json) ? ++latest_sync_ : 0;
  executor_.Post([this, sync, m = std::move(message_json)] {
    if (sync != 0 && sync != latest_sync_.load()) return;
    Handle(m);
  });
}

void HostAgent::Handle(const std::string& message_json) {
  try {
    json m = json::parse(message_json);
    const std::string type = m.at("type").get<std::string>();
    if (type == "apply") {
      auto spec = VmSpecFromJson(m.at("vm"));
      auto desired = ParseVmPowerState(m.at("desired").get<std::string>());
      if (!spec.ok() || !desired) throw std::runtime_error("bad apply message");
      const std::string& id = spec->instance_id;
      // Messages arrive in the order the controller sent them, so what this one causes is
      // about its generation, even when the controller has placed the instance again since.
      HeardGeneration(id, m.value("generation", int64_t{0}));
      Status s;
      auto known = nics_.find(id);
      // Only its firewall or public address changed (its taps exist): one reconcile serves
      // every VM a security-group change touched.
      const bool firewall_only = known != nics_.end() && !spec->nics.empty() &&
                                 FirewallChangedOnly(known->second, spec->nics);
      if (*desired != VmPowerState::kAbsent) {
        nics_[id] = spec->nics;
      } else {
        nics_.erase(id);
      }
      if (*desired == VmPowerState::kRunning) {
        // The VM's network must exist before QEMU opens its tap.
        if (firewall_only) {
          ScheduleNetworkReconcile();
        } else {
          s = spec->nics.empty() ? OkStatus() : ReconcileNetwork();
        }
        if (s.ok()) s = driver_->Start(*spec);
        int64_t gen = m.value("reboot_generation", int64_t{0});
        bool reboot = false;
        {
          std::lock_guard lock(mu_);
          auto [it, inserted] = reboot_seen_.try_emplace(id, gen);
          if (!inserted && gen > it->second) {
            it->second = gen;
            reboot = true;
          }
        }
        if (reboot) s = driver_->Reboot(id);
      } else if (*desired == VmPowerState::kStopped) {
        s = driver_->Stop(id, m.value("force", false));
      } else {
        s = driver_->Destroy(id);
        if (metadata_) metadata_->Remove(id);
        if (network_) (void)ReconcileNetwork();
        std::lock_guard lock(mu_);
        reboot_seen_.erase(id);
        generation_.erase(id);
      }
      if (!s.ok()) {
        spdlog::warn("agent {}: {} on {} failed: {}", host_id_, m["desired"].get<std::string>(), id,
                     s.ToString());
        // Report what is really there so the controller does not wait forever. A VM that
        // failed to start is stopped, with the reason the user will read.
        VmPowerState actual = *desired == VmPowerState::kRunning
                                  ? VmPowerState::kStopped
                                  : driver_->Adopt(*spec, VmPowerState::kAbsent);
        Report(VmEvent{id, actual, s.message()});
      }
    } else if (type == "sync") {
      std::map<std::string, bool> wanted;
      std::map<std::string, std::vector<VmNic>> nics;
      std::map<std::string, int64_t> generations;
      for (const auto& entry : m.at("vms")) {
        auto spec = VmSpecFromJson(entry.at("vm"));
        if (!spec.ok()) continue;
        nics[spec->instance_id] = spec->nics;
        generations[spec->instance_id] = entry.value("generation", int64_t{0});
      }
      nics_ = std::move(nics);
      {
        std::lock_guard lock(mu_);
        generation_ = std::move(generations);
      }
      // Before re-attaching: a VM that survived a restart keeps its tap; missing pieces
      // (a dead dnsmasq, a lost namespace) come back, strays go.
      if (network_) (void)ReconcileNetwork();
      for (const auto& entry : m.at("vms")) {
        auto spec = VmSpecFromJson(entry.at("vm"));
        auto believed = ParseVmPowerState(entry.at("believed").get<std::string>());
        if (!spec.ok() || !believed) continue;
        wanted[spec->instance_id] = true;
        // Only differences are reported: a resync of a healthy host sends nothing back.
        VmPowerState actual = driver_->Adopt(*spec, *believed);
        if (actual != *believed) {
          Report(VmEvent{spec->instance_id, actual,
                         "the VM was not running when its host was re-synced"});
        }
      }
      for (const auto& id : driver_->ListVms()) {
        if (wanted.count(id)) continue;
        spdlog::info("agent {}: removing orphaned VM {}", host_id_, id);
        (void)driver_->Destroy(id);
      }
    } else if (type == "metadata") {
      if (metadata_) {
        Status s = metadata_->Apply(m);
        if (!s.ok()) spdlog::warn("agent {}: {}", host_id_, s.message());
      }
    } else if (type == "volume") {
      auto vm = DecodeVolumeMessage(m);
      if (!vm.ok()) throw std::runtime_error(vm.status().message());
      Status s = !vm->snapshot_blob_id.empty()
                     ? driver_->SnapshotVolume(vm->instance_id, vm->volume_id, vm->snapshot_blob_id)
                 : vm->attach ? driver_->AttachVolume(vm->instance_id, vm->attachment)
                              : driver_->DetachVolume(vm->instance_id, vm->volume_id, vm->force);
      if (!s.ok()) {
        spdlog::warn("agent {}: {} {} on {}: {}", host_id_, vm->attach ? "attach" : "detach",
                     vm->volume_id, vm->instance_id, s.message());
      }
      report_(EncodeVolumeReport({host_id_, vm->instance_id, vm->volume_id, vm->attach, s.ok(),
                                  s.message(), vm->snapshot_blob_id}));
    } else {
      spdlog::warn("agent {}: unknown message type '{}'", host_id_, type);
    }
  } catch (const std::exception& e) {
    spdlog::error("agent {}: malformed message dropped: {}", host_id_, e.what());
  }
}

Result<std::string> HostAgent::Call(const std::string& message_json) {
  std::promise<Result<std::string>> done;
  auto future = done.get_future();
  executor_.Post([&] {
    try {
      json m = json::parse(message_json);
      if (m.at("type") != "console") {
        done.set_value(InvalidParameter("unknown call"));
        return;
      }
      auto out = driver_->ConsoleOutput(m.at("instance_id").get<std::string>(),
                                        m.at("max_bytes").get<size_t>());
      if (!out.ok()) {
        done.set_value(out.status());
        return;
      }
      done.set_value(json{{"output", *out}}.dump());
    } catch (const std::exception& e) {
      done.set_value(InvalidParameter(std::string("malformed call: ") + e.what()));
    }
  });
  return future.get();
}

}  // namespace strato
