#pragma once
// InstanceController: converges actual instance state toward desired state.
//
// One thread owns all convergence, so placement is serialized and can never overbook a
// host, and the capacity view needs no locks. Each pass:
//   1. applies agent reports (observed state) to the store, in one transaction. A report
//      about an earlier placement of the instance (its generation) is dropped, and a VM
//      reported running for an instance stopped here is stopped on its host;
//   2. places pending, unplaced instances (the scheduler) in one transaction, then tells
//      each chosen host's agent to start them;
//   3. sends the agent command each dirty instance needs (stop, destroy, reboot…);
//   4. periodically re-syncs every host (re-attach, remove orphans) and purges
//      terminated instances past their retention.
// Commands wake it with Kick(); agents feed it with OnReport(). Every step is
// idempotent, so a restart (even kill -9) is just another pass.
// Thread-safety: Kick/OnReport/Start/Stop are thread-safe.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent/agent_transport.h"
#include "common/metrics.h"
#include "sched/placement.h"
#include "store/store.h"

namespace strato {

struct InstanceControllerOptions {
  PlacementPolicy default_policy = PlacementPolicy::kPack;
  std::chrono::milliseconds resync_interval{10000};
  std::chrono::milliseconds terminated_retention{3600 * 1000};
  size_t placement_batch = 4096;
  std::function<int64_t()> now_ms;  // clock; defaults to the system clock
  // Creates the agent for a host the transport does not know yet (sim hosts, the local
  // qemu host). Called on the controller thread.
  std::function<void(const Host&)> ensure_agent;
  std::string region = "strato-1";  // named in instances' metadata
  // Whether a host's agent serves the metadata service (unset: every host). Snapshots
  // are built and sent only for those: sim hosts at scale cost nothing.
  std::function<bool(const std::string& host_id)> serves_metadata;
};

class InstanceController {
 public:
  InstanceController(Store& store, AgentTransport& agents, MetricsRegistry& metrics,
                     InstanceControllerOptions options);
  ~InstanceController();

  void Start();
  void Stop();  // finishes the current pass, then joins
  // New desired state for these instances (empty: something else changed, e.g. hosts).
  void Kick(std::vector<std::string> instance_ids = {});
  void OnReport(const std::string& report_json);

 private:
  struct Pending {
    std::vector<std::string> dirty;
    std::vector<std::string> reports;
    bool hosts_changed = false;
  };
  void Loop();
  void Pass(Pending& work);
  Status LoadCapacity();
  void ApplyReports(const std::vector<std::string>& reports);
  void PlacePending();
  void Converge(const std::vector<std::string>& ids);
  void Resync();
  void SendApply(const Instance& i);
  void FailLaunch(const Instance& placed, const std::string& why);
  void ReleaseOn(const std::string& host_id, int vcpus, int64_t memory_mib);
  void PushMetadata(const Instance& i);
  bool ServesMetadata(const std::string& host_id) const {
    return !options_.serves_metadata || options_.serves_metadata(host_id);
  }
  int64_t Now() const;

  Store& store_;
  AgentTransport& agents_;
  MetricsRegistry& metrics_;
  const InstanceControllerOptions options_;

  std::mutex mu_;
  std::condition_variable cv_;
  Pending pending_;        // GUARDED_BY(mu_)
  bool stopping_ = false;  // GUARDED_BY(mu_)
  bool started_ = false;   // GUARDED_BY(mu_)

  // Owned by the controller thread.
  std::vector<HostCapacity> hosts_;
  std::map<std::string, size_t> host_index_;
  std::set<std::string> networked_hosts_;  // hosts with a data plane (not sim): get firewalls
  size_t spread_cursor_ = 0;
  bool has_unplaced_ = true;
  std::chrono::steady_clock::time_point next_resync_{};

  Counter* placements_ = nullptr;
  Counter* placement_failures_ = nullptr;
  Histogram* placement_seconds_ = nullptr;

  std::thread thread_;
};

}  // namespace strato
