#pragma once
// HostAgent: the only code that touches a host. It receives desired state as JSON
// messages (agent_messages.h), converges its VMs through the hypervisor driver on its
// own executor thread, and reports every observed change back as JSON.
//
// Networking: with a NetworkDriver, the agent keeps the host's data plane matching the
// NICs of the VMs it has been told to keep (running or stopped): before a VM starts its
// network exists, and after a VM is destroyed or a sync, what no VM needs is removed.
// Hosts without one (sim) ignore NICs. With a MetadataService, every VPC namespace of the
// host also serves 169.254.169.254 from the snapshots the controller pushes ("metadata"
// messages); hosts without one ignore those messages.
// Ownership: owns the drivers; borrows the executor (shared by sim agents, dedicated for
// real hosts), which must outlive the agent.
// Thread-safety: Deliver()/Call() are thread-safe; driver calls run on the executor.

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "agent/serial_executor.h"
#include "common/status.h"
#include "drivers/hypervisor/hypervisor_driver.h"
#include "drivers/network/network_driver.h"
#include "metadata/metadata_service.h"

namespace strato {

class HostAgent {
 public:
  using ReportFn = std::function<void(const std::string& report_json)>;

  HostAgent(std::string host_id, std::unique_ptr<HypervisorDriver> driver,
            SerialExecutor& executor, ReportFn report,
            std::unique_ptr<NetworkDriver> network = nullptr,
            std::unique_ptr<MetadataService> metadata = nullptr);

  const std::string& host_id() const { return host_id_; }
  // Fire-and-forget: apply/sync messages. Malformed messages are logged and dropped.
  void Deliver(std::string message_json);
  // Request/response: console. Runs on the executor; blocks the caller until done.
  Result<std::string> Call(const std::string& message_json);

 private:
  void Handle(const std::string& message_json);
  void Report(const VmEvent& event);
  // Reports are stamped with the generation of the last message heard for their VM.
  void HeardGeneration(const std::string& instance_id, int64_t generation);
  // Executor thread only.
  Status ReconcileNetwork();
  // Queues one ReconcileNetwork behind the messages already waiting, unless one is queued.
  void ScheduleNetworkReconcile();
  static bool FirewallChangedOnly(const std::vector<VmNic>& before,
                                  const std::vector<VmNic>& after);

  const std::string host_id_;
  std::unique_ptr<HypervisorDriver> driver_;
  SerialExecutor& executor_;
  ReportFn report_;
  std::mutex mu_;
  std::map<std::string, int64_t> reboot_seen_;  // GUARDED_BY(mu_): last applied generation
  std::map<std::string, int64_t> generation_;   // GUARDED_BY(mu_): placement generation heard
  std::unique_ptr<NetworkDriver> network_;
  std::map<std::string, std::vector<VmNic>> nics_;  // executor thread only: by instance id
  // The metadata endpoint in each VPC namespace (hosts with a network driver only).
  std::unique_ptr<MetadataService> metadata_;
  std::atomic<uint64_t> latest_sync_{0};               // the newest sync delivered
  bool network_reconcile_queued_ = false;            // executor thread only
};

}  // namespace strato
