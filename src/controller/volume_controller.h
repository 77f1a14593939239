#pragma once
// VolumeController: converges block storage toward desired state, on one thread.
//
// Each pass:
//   1. applies storage-agent reports (what the storage driver observed) in one transaction:
//      a blob created makes its volume available or completes the snapshot waiting on it;
//      a failure marks them error (a failed snapshot gives the volume back its old blob);
//   2. sends the storage ops the store asks for: blobs to create, volumes to grow, and
//      blobs to delete — a blob is deleted only when no volume, snapshot or other blob
//      references it, so deleting a volume or snapshot keeps exactly what others need;
//   3. moves attachments along (attaching → attached, detaching → detached, and detaches
//      volumes whose instance is gone), and removes volumes and snapshots being deleted.
// On start it asks the storage agent to reconcile: files of unknown blobs and partial
// files are removed. Ops are idempotent; unanswered ones are re-sent at each resync.
// Thread-safety: Kick/OnReport/Start/Stop are thread-safe.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "agent/agent_messages.h"
#include "agent/agent_transport.h"
#include "agent/storage_messages.h"
#include "store/store.h"

namespace strato {

struct VolumeControllerOptions {
  std::chrono::milliseconds resync_interval{10000};
  std::function<int64_t()> now_ms;  // clock; defaults to the system clock
  // Where received images wait for conversion ("<blob-id>.upload"); reconcile removes
  // those of unknown blobs.
  std::string spool_dir;
  // Wakes the instance controller for instances whose launch volumes just became ready.
  std::function<void(std::vector<std::string>)> kick_instances = [](std::vector<std::string>) {};
};

class VolumeController {
 public:
  // `send` delivers a storage op (JSON) to the storage agent; it must not block. `agents`
  // reaches host agents for hot-plug (volume messages); it must outlive the controller.
  VolumeController(Store& store, std::function<void(std::string)> send, AgentTransport& agents,
                   VolumeControllerOptions options);
  ~VolumeController();

  void Start();
  void Stop();  // finishes the current pass, then joins
  void Kick();
  // Storage-agent reports and host-agent volume reports (agent_messages.h).
  void OnReport(const std::string& report_json);

 private:
  void Loop();
  void Pass(std::vector<std::string> reports, bool resync);
  void Reconcile();
  void ApplyReports(const std::vector<std::string>& reports);
  void SendBlobOps();
  void ConvergeVolumes();
  void RemoveDeletedSnapshots();
  void Send(const StorageOp& op);
  void ApplyVolumeReports(const std::vector<VolumeReport>& reports);
  // An import report settles its image (controller/image_imports.cc).
  Status ApplyImportReport(WriteTxn& t, const StorageReport& r, Blob& blob);
  // Pending snapshots whose overlay exists: a running guest is switched onto it (live
  // snapshot), otherwise the snapshot completes.
  void AdvanceSnapshots();
  int64_t Now() const;

  Store& store_;
  std::function<void(std::string)> send_;
  AgentTransport& agents_;
  const VolumeControllerOptions options_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> reports_;  // GUARDED_BY(mu_)
  bool kicked_ = true;                // GUARDED_BY(mu_)
  bool stopping_ = false;             // GUARDED_BY(mu_)
  bool started_ = false;              // GUARDED_BY(mu_)

  // Owned by the controller thread.
  std::set<std::string> in_flight_;  // "op:blob" sent and not yet reported
  // Attaches that failed and are still wanted. After a restart an attach can reach the host
  // before the host has re-adopted the VM: it is retried once a second for a while before it
  // is given up.
  struct AttachRetry {
    int64_t first_failure_ms = 0;
    int64_t next_try_ms = 0;
  };
  std::map<std::string, AttachRetry> attach_retries_;
  AttachRetry& RetryOf(const std::string& volume_id, int64_t now);
  // Throttle limits a running guest's host agent confirmed per volume, and those sent; a
  // difference (a modify, or a restart of stratod) sends the attachment again, which the
  // driver applies to the live throttle group.
  std::map<std::string, ThrottleLimits> applied_limits_;
  std::map<std::string, ThrottleLimits> sent_limits_;
  std::map<std::string, int64_t> sent_sizes_;  // GiB sent with an attachment
  bool reconciled_ = false;
  std::thread thread_;
};

}  // namespace strato
