#include "controller/instance_controller.h"

#include "controller/instance_firewall.h"
#include "controller/metadata_push.h"
#include "controller/volume_attachments.h"

#include <spdlog/spdlog.h>

#include "agent/agent_messages.h"
#include "core/instance_types.h"

namespace strato {
namespace {

VmSpec SpecOf(const Instance& i) {
  const InstanceType* type = FindInstanceType(i.instance_type);
  VmSpec spec{i.id, i.vcpus, i.memory_mib, type ? std::string(type->machine) : "q35", i.image_id};
  for (const auto& n : i.interfaces) {
    spec.nics.push_back(VmNic{n.id, n.vpc_id, n.subnet_id, n.subnet_cidr, n.mac, n.private_ip});
  }
  return spec;
}

// What its host is told about an instance: every apply carries the placement generation,
// which the host's reports then answer (see ApplyReports).
ApplyMessage ApplyFor(const Instance& i, VmPowerState desired) {
  return ApplyMessage{SpecOf(i), desired, false, i.reboot_generation, i.placement_generation};
}

bool IsTransitional(InstanceState s) {
  return s == InstanceState::kPending || s == InstanceState::kStopping ||
         s == InstanceState::kShuttingDown;
}

}  // namespace

InstanceController::InstanceController(Store& store, AgentTransport& agents,
                                       MetricsRegistry& metrics,
                                       InstanceControllerOptions options)
    : store_(store), agents_(agents), metrics_(metrics), options_(std::move(options)) {
  placements_ = &metrics_.GetCounter("strato_scheduler_placements_total",
                                     "Instances placed on a host by the scheduler.");
  placement_failures_ = &metrics_.GetCounter(
      "strato_scheduler_failures_total", "Placement attempts that found no host with room.");
  placement_seconds_ = &metrics_.GetHistogram(
      "strato_scheduler_decision_seconds", "Time to choose a host for one instance.", {},
      {1e-6, 5e-6, 1e-5, 5e-5, 1e-4, 5e-4, 1e-3, 5e-3, 1e-2});
}

InstanceController::~InstanceController() { Stop(); }

int64_t InstanceController::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void InstanceController::Start() {
  std::lock_guard lock(mu_);
  if (started_) return;
  started_ = true;
  thread_ = std::thread([this] { Loop(); });
}

void InstanceController::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void InstanceController::Kick(std::vector<std::string> instance_ids) {
  {
    std::lock_guard lock(mu_);
    if (instance_ids.empty()) pending_.hosts_changed = true;
    for (auto& id : instance_ids) pending_.dirty.push_back(std::move(id));
  }
  cv_.notify_one();
}

void InstanceController::OnReport(const std::string& report_json) {
  {
    std::lock_guard lock(mu_);
    pending_.reports.push_back(report_json);
  }
  cv_.notify_one();
}

void InstanceController::Loop() {
  for (;;) {
    Pending work;
    {
      std::unique_lock lock(mu_);
      cv_.wait_until(lock, next_resync_, [&] {
        return stopping_ || !pending_.dirty.empty() || !pending_.reports.empty() ||
               pending_.hosts_changed;
      });
      if (stopping_) return;
      std::swap(work, pending_);
    }
    try {
      Pass(work);
    } catch (const std::exception& e) {
      spdlog::error("controller pass failed: {}", e.what());
    }
  }
}

void InstanceController::Pass(Pending& work) {
  bool resync = std::chrono::steady_clock::now() >= next_resync_;
  if (resync || work.hosts_changed) {
    Status s = LoadCapacity();
    if (!s.ok()) spdlog::error("controller: cannot load hosts: {}", s.ToString());
    has_unplaced_ = true;
  }
  if (!work.reports.empty()) ApplyReports(work.reports);
  if (!work.dirty.empty()) {
    has_unplaced_ = true;
    Converge(work.dirty);
  }
  PlacePending();
  if (resync) {
    Resync();
    next_resync_ = std::chrono::steady_clock::now() + options_.resync_interval;
  }
}

Status InstanceController::LoadCapacity() {
  std::vector<Host> hosts;
  STRATO_RETURN_IF_ERROR(store_.Read([&](ReadTxn& t) {
    Page page{.limit = 1000};
    for (;;) {
      STRATO_ASSIGN_OR_RETURN(auto batch, t.ListHosts({}, page));
      for (auto& h : batch) hosts.push_back(std::move(h));
      if (batch.size() < 1000u) return OkStatus();
      page.after_id = hosts.back().id;
    }
  }));
  hosts_.clear();
  host_index_.clear();
  networked_hosts_.clear();
  for (const Host& h : hosts) {
    if (h.driver != "sim") networked_hosts_.insert(h.id);
    if (options_.ensure_agent) options_.ensure_agent(h);
    host_index_[h.id] = hosts_.size();
    hosts_.push_back(HostCapacity{h.id, h.zone, h.enabled, h.vcpus, h.memory_mib, h.cpu_ratio,
                                  h.allocated_vcpus, h.allocated_memory_mib});
  }
  return OkStatus();
}

// ---- 1. observed state ----

void InstanceController::ApplyReports(const std::vector<std::string>& reports) {
  std::vector<AgentReport> decoded;
  for (const auto& r : reports) {
    auto d = DecodeReport(r);
    if (d.ok()) decoded.push_back(std::move(d).value());
    else spdlog::warn("controller: dropping malformed report: {}", d.status().message());
  }
  struct Release {
    std::string host_id;
    int vcpus;
    int64_t memory_mib;
  };
  std::vector<Release> releases;
  std::vector<std::string> reconverge;
  std::vector<Instance> strays;
  const int64_t now = Now();
  Status s = store_.Write([&](WriteTxn& t) {
    releases.clear();
    reconverge.clear();
    strays.clear();
    for (const AgentReport& r : decoded) {
      auto got = t.GetInstance(Scope::System(), r.instance_id);
      if (!got.ok()) continue;  // purged or unknown: the next sync removes the VM
      Instance i = std::move(got).value();
      if (!i.host_id && i.state == InstanceState::kStopped && r.state == VmPowerState::kRunning &&
          r.host_id == i.last_host_id) {
        strays.push_back(i);  // runs although stopped here: its host stops it
        continue;
      }
      // About an earlier placement: from another host, or from this one before the instance
      // was placed there again (0: the host has heard nothing since it started).
      if (i.host_id != r.host_id) continue;
      if (r.generation != 0 && r.generation != i.placement_generation) continue;
      InstanceState before = i.state;
      bool release = false;
      switch (r.state) {
        case VmPowerState::kRunning:
          if (i.state == InstanceState::kPending) {
            i.state = InstanceState::kRunning;
            i.state_reason.clear();
          }
          break;
        case VmPowerState::kStopped:
          if (i.state == InstanceState::kShuttingDown) break;  // destroy follows
          if (i.state != InstanceState::kStopping) {
            i.state_reason = r.reason.empty()
                                 ? "Client.InstanceInitiatedShutdown: Instance initiated shutdown"
                                 : "Server.InternalError: " + r.reason;
          } else {
            i.state_reason = "Client.UserInitiatedShutdown: User initiated shutdown";
          }
          i.state = InstanceState::kStopped;
          i.desired_state = DesiredState::kStopped;
          release = true;
          break;
        case VmPowerState::kAbsent:
          if (i.state == InstanceState::kShuttingDown) {
            i.state = InstanceState::kTerminated;
            i.state_reason = "Client.UserInitiatedShutdown: User initiated shutdown";
            i.terminated_at = now;
            release = true;
          } else if (i.state == InstanceState::kPending) {
            reconverge.push_back(i.id);  // not started yet (e.g. after a restart)
          } else if (i.state != InstanceState::kStopped) {
            i.state = InstanceState::kStopped;
            i.desired_state = DesiredState::kStopped;
            i.state_reason = "Server.InternalError: The instance's VM is gone from its host" +
                             (r.reason.empty() ? std::string() : ": " + r.reason);
            release = true;
          }
          break;
      }
      if (release) {
        releases.push_back({*i.host_id, i.vcpus, i.memory_mib});
        i.last_host_id = *i.host_id;
        i.host_id.reset();
      }
      if (i.state != before || release) {
        i.updated_at = now;
        STRATO_RETURN_IF_ERROR(t.UpdateInstance(i));
      }
    }
    return OkStatus();
  });
  if (!s.ok()) {
    spdlog::error("controller: recording observed state failed: {}", s.ToString());
    std::lock_guard lock(mu_);
    for (const auto& r : reports) pending_.reports.push_back(r);  // retried next pass
    return;
  }
  for (const auto& r : releases) ReleaseOn(r.host_id, r.vcpus, r.memory_mib);
  if (!releases.empty()) has_unplaced_ = true;  // freed capacity may place a waiting instance
  if (!reconverge.empty()) Converge(reconverge);
  for (const Instance& i : strays) {
    spdlog::warn("controller: {} runs on {} although it is stopped: stopping it", i.id,
                 i.last_host_id);
    Status sent = agents_.Send(i.last_host_id, EncodeApply(ApplyFor(i, VmPowerState::kStopped)));
    if (!sent.ok()) spdlog::warn("controller: {}: {}", i.id, sent.message());
  }
}

// Frees what an instance held on a host in the capacity view (the store frees it with the
// instance's host_id).
void InstanceController::ReleaseOn(const std::string& host_id, int vcpus, int64_t memory_mib) {
  auto it = host_index_.find(host_id);
  if (it != host_index_.end()) strato::Release(hosts_[it->second], vcpus, memory_mib);
}

// ---- 2. placement ----

void InstanceController::PlacePending() {
  if (!has_unplaced_) return;
  std::vector<Instance> unplaced;
  InstanceFilter filter;
  filter.state = InstanceState::kPending;
  filter.unplaced_only = true;
  Status read = store_.Read([&](ReadTxn& t) {
    STRATO_ASSIGN_OR_RETURN(
        unplaced, t.ListInstances(Scope::System(), filter,
                                  {.limit = static_cast<int>(options_.placement_batch)}));
    return OkStatus();
  });
  if (!read.ok() || unplaced.empty()) {
    has_unplaced_ = !read.ok();
    return;
  }
  struct Decision {
    size_t host;  // SIZE_MAX: not placed
    std::string reason;
  };
  std::vector<Decision> decisions;
  decisions.reserve(unplaced.size());
  for (const Instance& i : unplaced) {
    auto start = std::chrono::steady_clock::now();
    PlacementRequest req{i.vcpus, i.memory_mib, std::nullopt, options_.default_policy};
    if (i.zone_requested) req.zone = i.zone;
    if (auto p = ParsePlacementPolicy(i.placement_policy)) req.policy = *p;
    PlacementResult r = ChooseHost(hosts_, req, spread_cursor_);
    placement_seconds_->Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    if (r.host_index) {
      Reserve(hosts_[*r.host_index], req);
      decisions.push_back({*r.host_index, ""});
    } else {
      decisions.push_back({SIZE_MAX, std::move(r.reason)});
    }
  }
  std::vector<bool> applied(unplaced.size());
  const int64_t now = Now();
  Status s = store_.Write([&](WriteTxn& t) {
    for (size_t k = 0; k < unplaced.size(); ++k) {
      applied[k] = false;
      // Re-read inside the transaction: the user may have terminated it meanwhile.
      auto cur = t.GetInstance(Scope::System(), unplaced[k].id);
      if (!cur.ok() || cur->state != InstanceState::kPending || cur->host_id) continue;
      Instance i = std::move(cur).value();
      const Decision& d = decisions[k];
      if (d.host == SIZE_MAX) {
        if (i.state_reason == d.reason) continue;
        i.state_reason = d.reason;
      } else {
        i.host_id = hosts_[d.host].id;
        i.last_host_id = *i.host_id;
        ++i.placement_generation;
        i.zone = hosts_[d.host].zone;
        i.state_reason.clear();
      }
      i.updated_at = now;
      STRATO_RETURN_IF_ERROR(t.UpdateInstance(i));
      applied[k] = true;
      unplaced[k] = std::move(i);
    }
    return OkStatus();
  });
  // More may wait beyond this batch; the unplaceable ones wait for freed capacity (which a
  // launch failing below frees, so it is decided first).
  has_unplaced_ = unplaced.size() == options_.placement_batch;
  size_t placed = 0, failed = 0;
  for (size_t k = 0; k < unplaced.size(); ++k) {
    const Decision& d = decisions[k];
    if (d.host == SIZE_MAX) {
      ++failed;
      continue;
    }
    if (!s.ok() || !applied[k]) {
      strato::Release(hosts_[d.host], unplaced[k].vcpus, unplaced[k].memory_mib);
      continue;
    }
    ++placed;
    SendApply(unplaced[k]);
  }
  placements_->Inc(static_cast<double>(placed));
  if (failed) placement_failures_->Inc(static_cast<double>(failed));
  if (!s.ok()) spdlog::error("controller: placement write failed: {}", s.ToString());
}

// ---- 3. commands to agents ----

void InstanceController::SendApply(const Instance& i) {
  if (!i.host_id) return;
  ApplyMessage m = ApplyFor(i, VmPowerState::kRunning);  // the desired state is set below
  if (networked_hosts_.count(*i.host_id)) {
    // Security groups and public addresses travel with the VM: its network is filtered
    // from the moment it exists, and every change reaches the host as a new apply.
    Status fw = store_.Read([&](ReadTxn& t) { return FirewallResolver(t).Fill(m.vm); });
    if (!fw.ok()) spdlog::warn("controller: {}: resolving its firewall: {}", i.id, fw.message());
  }
  if (i.state == InstanceState::kPending) {
    // A start plugs the instance's volumes; later changes are hot-plugged.
    AttachmentsReadiness volumes{.ready = true};
    Status s = store_.Read([&](ReadTxn& t) -> Status {
      STRATO_ASSIGN_OR_RETURN(m.vm.volumes, AttachmentsOf(t, i.id));
      STRATO_ASSIGN_OR_RETURN(volumes, CheckAttachments(t, m.vm.volumes));
      return OkStatus();
    });
    if (!s.ok()) spdlog::warn("controller: {}: reading its volumes: {}", i.id, s.message());
    if (!volumes.failed.empty()) return FailLaunch(i, volumes.failed);
    if (!volumes.ready) return;  // its launch volumes are being made; the volume controller kicks us
  }
  switch (i.state) {
    case InstanceState::kPending:
    case InstanceState::kRunning: m.desired = VmPowerState::kRunning; break;
    case InstanceState::kStopping:
      m.desired = VmPowerState::kStopped;
      m.force = i.force_stop;
      break;
    case InstanceState::kShuttingDown: m.desired = VmPowerState::kAbsent; break;
    default: return;
  }
  if (m.desired == VmPowerState::kRunning) PushMetadata(i);
  Status s = agents_.Send(*i.host_id, EncodeApply(m));
  if (!s.ok()) spdlog::warn("controller: {}: {}", i.id, s.message());
}

// As EC2 does when a launch's volume cannot be made: the instance never ran, so it goes to
// terminated (its capacity freed, its launch volumes released by the volume controller)
// instead of waiting in pending for ever.
void InstanceController::FailLaunch(const Instance& placed, const std::string& why) {
  const int64_t now = Now();
  bool failed = false;
  Status s = store_.Write([&](WriteTxn& t) {
    auto cur = t.GetInstance(Scope::System(), placed.id);
    if (!cur.ok() || cur->state != InstanceState::kPending || cur->host_id != placed.host_id)
      return OkStatus();  // moved on meanwhile
    Instance i = std::move(cur).value();
    i.state = InstanceState::kTerminated;
    i.desired_state = DesiredState::kTerminated;
    i.state_reason = "Server.InternalError: Internal error on launch: " + why;
    i.terminated_at = now;
    i.updated_at = now;
    i.host_id.reset();
    failed = true;
    return t.UpdateInstance(i);
  });
  if (!s.ok()) {
    spdlog::error("controller: {}: recording its failed launch: {}", placed.id, s.ToString());
    return;
  }
  if (!failed) return;
  spdlog::warn("controller: {}: launch failed: {}", placed.id, why);
  ReleaseOn(*placed.host_id, placed.vcpus, placed.memory_mib);
  has_unplaced_ = true;
}

// Before the VM boots (or again, after its options changed), its host holds its snapshot.
void InstanceController::PushMetadata(const Instance& i) {
  if (!ServesMetadata(*i.host_id)) return;
  Result<InstanceMetadata> m = Internal("unset");
  Status read = store_.Read([&](ReadTxn& t) {
    m = LoadInstanceMetadata(t, i, options_.region);
    return m.status();
  });
  Status s = read.ok() ? agents_.Send(*i.host_id, EncodeMetadataPush({*m}, false)) : read;
  if (!s.ok()) spdlog::warn("controller: {}: metadata: {}", i.id, s.message());
}

void InstanceController::Converge(const std::vector<std::string>& ids) {
  std::vector<Instance> instances;
  Status read = store_.Read([&](ReadTxn& t) {
    for (const auto& id : ids) {
      auto i = t.GetInstance(Scope::System(), id);
      if (i.ok()) instances.push_back(std::move(i).value());
    }
    return OkStatus();
  });
  if (!read.ok()) {
    spdlog::error("controller: {}", read.ToString());
    return;
  }
  // Transitions that need no host: nothing to tear down.
  std::vector<std::string> hostless;
  for (const Instance& i : instances) {
    if (i.host_id) {
      SendApply(i);
    } else if (i.state == InstanceState::kShuttingDown || i.state == InstanceState::kStopping) {
      hostless.push_back(i.id);
    }
  }
  if (hostless.empty()) return;
  const int64_t now = Now();
  std::vector<Instance> cleanup;
  Status s = store_.Write([&](WriteTxn& t) {
    for (const auto& id : hostless) {
      auto cur = t.GetInstance(Scope::System(), id);
      if (!cur.ok() || cur->host_id) continue;
      Instance i = std::move(cur).value();
      if (i.state == InstanceState::kShuttingDown) {
        i.state = InstanceState::kTerminated;
        i.terminated_at = now;
        if (!i.last_host_id.empty()) cleanup.push_back(i);
      } else if (i.state == InstanceState::kStopping) {
        i.state = InstanceState::kStopped;
      } else {
        continue;
      }
      i.state_reason = "Client.UserInitiatedShutdown: User initiated shutdown";
      i.updated_at = now;
      STRATO_RETURN_IF_ERROR(t.UpdateInstance(i));
    }
    return OkStatus();
  });
  if (!s.ok()) {
    spdlog::error("controller: {}", s.ToString());
    return;
  }
  // A stopped VM's files stay on its last host (console); terminate removes them.
  for (Instance& i : cleanup) {
    Status sent = agents_.Send(i.last_host_id, EncodeApply(ApplyFor(i, VmPowerState::kAbsent)));
    if (!sent.ok()) spdlog::debug("controller: cleanup of {}: {}", i.id, sent.message());
  }
}

// ---- 4. resync and purge ----

void InstanceController::Resync() {
  std::map<std::string, std::vector<SyncEntry>> by_host;
  std::map<std::string, std::vector<InstanceMetadata>> metadata_by_host;
  std::vector<std::string> transitional;
  InstanceFilter filter;
  filter.states = {InstanceState::kPending, InstanceState::kRunning, InstanceState::kStopping,
                   InstanceState::kShuttingDown, InstanceState::kStopped};
  Status read = store_.Read([&](ReadTxn& t) {
    Page page{.limit = 1000};
    FirewallResolver firewall(t);
    auto spec_of = [&](const Instance& i, const std::string& host) -> Result<VmSpec> {
      VmSpec spec = SpecOf(i);
      if (networked_hosts_.count(host)) STRATO_RETURN_IF_ERROR(firewall.Fill(spec));
      return spec;
    };
    for (;;) {
      STRATO_ASSIGN_OR_RETURN(auto batch, t.ListInstances(Scope::System(), filter, page));
      for (const Instance& i : batch) {
        if (IsTransitional(i.state)) transitional.push_back(i.id);
        // A stopped VM's files (its console) stay on its last host until terminate.
        if (i.state == InstanceState::kStopped) {
          if (!i.last_host_id.empty()) {
            STRATO_ASSIGN_OR_RETURN(auto spec, spec_of(i, i.last_host_id));
            by_host[i.last_host_id].push_back(
                {std::move(spec), VmPowerState::kStopped, i.placement_generation});
          }
          continue;
        }
        if (!i.host_id) continue;
        // A pending VM may not exist yet: believe it stopped, and start it below.
        VmPowerState believed = i.state == InstanceState::kPending ? VmPowerState::kStopped
                                                                   : VmPowerState::kRunning;
        STRATO_ASSIGN_OR_RETURN(auto spec, spec_of(i, *i.host_id));
        by_host[*i.host_id].push_back({std::move(spec), believed, i.placement_generation});
        if (!ServesMetadata(*i.host_id)) continue;
        STRATO_ASSIGN_OR_RETURN(auto m, LoadInstanceMetadata(t, i, options_.region));
        metadata_by_host[*i.host_id].push_back(std::move(m));
      }
      if (batch.size() < 1000u) return OkStatus();
      page.after_id = batch.back().id;
    }
  });
  if (!read.ok()) {
    spdlog::error("controller: resync read failed: {}", read.ToString());
    return;
  }
  for (const HostCapacity& h : hosts_) {
    Status s = agents_.Send(h.id, EncodeSync(by_host[h.id]));
    if (s.ok() && ServesMetadata(h.id))
      s = agents_.Send(h.id, EncodeMetadataPush(metadata_by_host[h.id], true));
    if (!s.ok()) spdlog::debug("controller: resync {}: {}", h.id, s.message());
  }
  Converge(transitional);
  int64_t cutoff = Now() - options_.terminated_retention.count();
  Status purge = store_.Write([&](WriteTxn& t) { return t.PurgeTerminatedInstances(cutoff).status(); });
  if (!purge.ok()) spdlog::error("controller: purge failed: {}", purge.ToString());
}

}  // namespace strato
