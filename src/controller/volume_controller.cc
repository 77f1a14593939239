#include "controller/volume_controller.h"

#include <spdlog/spdlog.h>

#include "controller/volume_attachments.h"
#include "core/volume_modification.h"

namespace strato {

using namespace std::chrono_literals;

namespace {

constexpr int kBatch = 1000;
constexpr int64_t kAttachRetryForMs = 15'000;
constexpr int64_t kAttachRetryEveryMs = 1'000;

bool InstanceGone(const Result<Instance>& i) {
  return !i.ok() || i->state == InstanceState::kTerminated ||
         i->state == InstanceState::kShuttingDown;
}

// The host whose running guest holds the volume right now, if any.
std::optional<std::string> LiveHostOf(ReadTxn& t, const Volume& v) {
  if (v.instance_id.empty() || v.attach_state != AttachState::kAttached) return std::nullopt;
  auto inst = t.GetInstance(Scope::System(), v.instance_id);
  if (!inst.ok() || !inst->host_id || inst->state != InstanceState::kRunning) return std::nullopt;
  auto h = t.GetHost(*inst->host_id);
  if (!h.ok() || h->driver == "sim") return std::nullopt;
  return h->id;
}

void Complete(Snapshot& n, int64_t now) {
  n.state = SnapshotState::kCompleted;
  n.progress = 100;
  n.pending_blob_id.clear();
  n.updated_at = now;
}

// The snapshot failed: the volume keeps the blob it had (the snapshot never froze it).
Status Fail(WriteTxn& t, Snapshot& n, const std::string& why, int64_t now) {
  auto vol = t.GetVolume(Scope::System(), n.volume_id);
  if (vol.ok() && vol->blob_id == n.pending_blob_id) {
    vol->blob_id = n.blob_id;
    vol->updated_at = now;
    STRATO_RETURN_IF_ERROR(t.UpdateVolume(*vol));
  }
  n.state = SnapshotState::kError;
  n.state_reason = "Server.InternalError: " + why;
  n.blob_id.clear();
  n.pending_blob_id.clear();
  n.updated_at = now;
  return OkStatus();
}

bool BlobReady(ReadTxn& t, const std::string& blob_id) {
  auto b = t.GetBlob(blob_id);
  return b.ok() && b->state == BlobState::kReady;
}

// The instance of `v` is gone: a root volume stops being one, and the volume is deleted
// with the instance when its attachment says so (always, for an instance-store root).
// A detach already under way ends the attachment first: the volume stays.
Result<bool> ReleaseFromGoneInstance(WriteTxn& t, const Volume& v) {
  STRATO_ASSIGN_OR_RETURN(auto root, t.GetRootVolume(v.id));
  if (root) STRATO_RETURN_IF_ERROR(t.DeleteRootVolume(v.id));
  if (root && root->instance_store) return true;
  return v.delete_on_termination && v.attach_state != AttachState::kDetaching;
}

void Detach(Volume& v, int64_t now, std::string reason) {
  v.instance_id.clear();
  v.device.clear();
  v.attach_state = AttachState::kDetached;
  v.force_detach = false;
  v.delete_on_termination = false;
  v.attached_at = 0;
  v.state = VolumeState::kAvailable;
  v.state_reason = std::move(reason);
  v.updated_at = now;
}

}  // namespace

VolumeController::VolumeController(Store& store, std::function<void(std::string)> send,
                                   AgentTransport& agents, VolumeControllerOptions options)
    : store_(store), send_(std::move(send)), agents_(agents), options_(std::move(options)) {}

VolumeController::~VolumeController() { Stop(); }

void VolumeController::Start() {
  std::lock_guard lock(mu_);
  if (started_) return;
  started_ = true;
  thread_ = std::thread([this] { Loop(); });
}

void VolumeController::Stop() {
  {
    std::lock_guard lock(mu_);
    if (!started_ || stopping_) return;
    stopping_ = true;
  }
  cv_.notify_all();
  thread_.join();
}

void VolumeController::Kick() {
  {
    std::lock_guard lock(mu_);
    kicked_ = true;
  }
  cv_.notify_all();
}

void VolumeController::OnReport(const std::string& report_json) {
  {
    std::lock_guard lock(mu_);
    reports_.push_back(report_json);
  }
  cv_.notify_all();
}

int64_t VolumeController::Now() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void VolumeController::Loop() {
  auto next_resync = std::chrono::steady_clock::now();
  std::unique_lock lock(mu_);
  while (!stopping_) {
    // Attachments follow instances, which change without telling us: look once a second.
    cv_.wait_for(lock, 1s, [this] { return stopping_ || kicked_ || !reports_.empty(); });
    if (stopping_) break;
    std::vector<std::string> reports;
    reports.swap(reports_);
    kicked_ = false;
    lock.unlock();
    const auto now = std::chrono::steady_clock::now();
    const bool resync = now >= next_resync;
    if (resync) next_resync = now + options_.resync_interval;
    Pass(std::move(reports), resync);
    lock.lock();
  }
}

void VolumeController::Pass(std::vector<std::string> reports, bool resync) {
  if (!reconciled_) Reconcile();
  if (resync) in_flight_.clear();  // unanswered ops are sent again (they are idempotent)
  std::vector<std::string> storage;
  std::vector<VolumeReport> volume;
  for (auto& r : reports) {
    if (!IsVolumeReport(r)) {
      storage.push_back(std::move(r));
      continue;
    }
    auto v = DecodeVolumeReport(r);
    if (v.ok()) volume.push_back(std::move(v).value());
  }
  if (!storage.empty()) ApplyReports(storage);
  if (!volume.empty()) ApplyVolumeReports(volume);
  ConvergeVolumes();
  AdvanceSnapshots();
  RemoveDeletedSnapshots();
  SendBlobOps();
}

void VolumeController::Send(const StorageOp& op) {
  if (!in_flight_.insert(op.type + ":" + op.blob_id).second) return;
  send_(EncodeStorageOp(op));
}

void VolumeController::Reconcile() {
  StorageOp op{.type = "reconcile", .source_path = options_.spool_dir};
  Status s = store_.Read([&](ReadTxn& t) {
    Page page{.limit = kBatch};
    for (;;) {
      STRATO_ASSIGN_OR_RETURN(auto blobs, t.ListBlobs(std::nullopt, page));
      for (const auto& b : blobs) op.known.insert(b.id);
      if (blobs.size() < static_cast<size_t>(kBatch)) return OkStatus();
      page.after_id = blobs.back().id;
    }
  });
  if (!s.ok()) {
    spdlog::warn("volumes: cannot list blobs to reconcile: {}", s.message());
    return;
  }
  send_(EncodeStorageOp(op));  // queued before any other op: the agent runs them in order
  reconciled_ = true;
}

namespace {

// A grow done (or given up) completes (or fails) the volume's latest modification.
Status SettleModificationOf(WriteTxn& t, const Volume& v, int64_t now) {
  STRATO_ASSIGN_OR_RETURN(auto mods,
                          t.ListVolumeModifications(Scope::System(), {v.id}, {.limit = 1}));
  if (mods.empty() || !SettleModification(mods.front(), v, now)) return OkStatus();
  return t.PutVolumeModification(mods.front());
}

}  // namespace

void VolumeController::ApplyReports(const std::vector<std::string>& reports) {
  const int64_t now = Now();
  std::vector<StorageReport> decoded;
  for (const auto& text : reports) {
    auto r = DecodeStorageReport(text);
    if (!r.ok()) {
      spdlog::warn("volumes: {}", r.status().message());
      continue;
    }
    in_flight_.erase(r->op + ":" + r->blob_id);
    if (r->op != "reconcile") decoded.push_back(std::move(r).value());
  }
  std::vector<std::string> ready_launches;
  Status s = store_.Write([&](WriteTxn& t) -> Status {
    for (const auto& report : decoded) {
      const StorageReport* r = &report;
      auto blob = t.GetBlob(r->blob_id);
      if (!blob.ok()) continue;  // already gone
      if (r->op == "delete") {
        if (r->ok) STRATO_RETURN_IF_ERROR(t.DeleteBlob(r->blob_id));
        continue;
      }
      STRATO_ASSIGN_OR_RETURN(auto volumes, t.ListVolumes(Scope::System(),
                                                          {.blob_id = r->blob_id}, {.limit = kBatch}));
      if (r->op == "grow") {
        for (auto& v : volumes) {
          if (v.blob_id != r->blob_id) continue;
          if (r->ok) {
            v.applied_size_gib = r->size_bytes / kGiB;
            v.state_reason.clear();
          } else {
            v.size_gib = v.applied_size_gib;  // give up: the size the user sees is the real one
            v.state_reason = "Server.InternalError: growing the volume failed: " + r->error;
          }
          v.updated_at = now;
          STRATO_RETURN_IF_ERROR(t.UpdateVolume(v));
          STRATO_RETURN_IF_ERROR(SettleModificationOf(t, v, now));
        }
        continue;
      }
      if (blob->state != BlobState::kCreating) continue;  // a repeated report
      if (r->op == "import") {
        STRATO_RETURN_IF_ERROR(ApplyImportReport(t, *r, *blob));
        continue;
      }
      blob->state = r->ok ? BlobState::kReady : BlobState::kError;
      blob->state_reason = r->error;
      STRATO_RETURN_IF_ERROR(t.UpdateBlob(*blob));
      STRATO_ASSIGN_OR_RETURN(auto snaps, t.ListSnapshots(Scope::System(),
                                                          {.state = SnapshotState::kPending},
                                                          {.limit = kBatch}));
      for (auto& n : snaps) {
        if (n.pending_blob_id != r->blob_id || r->ok) continue;  // AdvanceSnapshots goes on
        STRATO_RETURN_IF_ERROR(Fail(t, n, r->error, now));
        STRATO_RETURN_IF_ERROR(t.UpdateSnapshot(n));
      }
      for (auto& v : volumes) {
        if (v.blob_id != r->blob_id || v.state != VolumeState::kCreating) continue;
        // A volume made at launch is born attached: its instance waits for it to start.
        if (!v.instance_id.empty()) ready_launches.push_back(v.instance_id);
        v.state = !r->ok                  ? VolumeState::kError
                  : v.instance_id.empty() ? VolumeState::kAvailable
                                          : VolumeState::kInUse;
        v.state_reason = r->ok ? "" : "Server.InternalError: " + r->error;
        v.updated_at = now;
        STRATO_RETURN_IF_ERROR(t.UpdateVolume(v));
      }
    }
    return OkStatus();
  });
  if (!s.ok()) spdlog::warn("volumes: applying storage reports failed: {}", s.message());
  if (s.ok() && !ready_launches.empty()) options_.kick_instances(std::move(ready_launches));
}

// The retry record of a failed attach. One left from an earlier attach of the volume (that
// attach was then detached or its instance went away, so no retry followed) starts afresh.
VolumeController::AttachRetry& VolumeController::RetryOf(const std::string& volume_id,
                                                         int64_t now) {
  AttachRetry& retry = attach_retries_[volume_id];
  if (retry.first_failure_ms == 0 || now - retry.next_try_ms > kAttachRetryForMs)
    retry = AttachRetry{.first_failure_ms = now};
  return retry;
}

void VolumeController::ApplyVolumeReports(const std::vector<VolumeReport>& reports) {
  const int64_t now = Now();
  for (const auto& r : reports) {
    in_flight_.erase((!r.snapshot_blob_id.empty() ? "switch:" : r.attached ? "attach:" : "detach:") +
                     r.volume_id);
  }
  Status s = store_.Write([&](WriteTxn& t) -> Status {
    for (const auto& r : reports) {
      if (!r.snapshot_blob_id.empty()) {
        STRATO_ASSIGN_OR_RETURN(auto snaps, t.ListSnapshots(Scope::System(),
                                                            {.volume_id = r.volume_id,
                                                             .state = SnapshotState::kPending},
                                                            {.limit = kBatch}));
        for (auto& n : snaps) {
          if (n.pending_blob_id != r.snapshot_blob_id) continue;
          if (r.ok) {
            Complete(n, now);
          } else {
            STRATO_RETURN_IF_ERROR(Fail(t, n, r.error, now));
          }
          STRATO_RETURN_IF_ERROR(t.UpdateSnapshot(n));
        }
        continue;
      }
      auto v = t.GetVolume(Scope::System(), r.volume_id);
      if (!v.ok() || v->instance_id != r.instance_id) continue;  // moved on since
      if (r.attached && r.ok && sent_limits_.count(r.volume_id)) {
        applied_limits_[r.volume_id] = sent_limits_[r.volume_id];
        // The plugged disk has (at least) the size sent: the blob has grown with it.
        if (sent_sizes_.count(r.volume_id) && v->applied_size_gib != sent_sizes_[r.volume_id]) {
          v->applied_size_gib = sent_sizes_[r.volume_id];
          v->updated_at = now;
          STRATO_RETURN_IF_ERROR(t.UpdateVolume(*v));
          STRATO_RETURN_IF_ERROR(SettleModificationOf(t, *v, now));
        }
      }
      if (r.attached && v->attach_state == AttachState::kAttaching) {
        if (r.ok) {
          attach_retries_.erase(r.volume_id);
          v->attach_state = AttachState::kAttached;
          v->attached_at = now;
          v->state_reason.clear();
        } else if (AttachRetry& retry = RetryOf(r.volume_id, now);
                   now - retry.first_failure_ms < kAttachRetryForMs) {
          retry.next_try_ms = now + kAttachRetryEveryMs;  // still attaching: sent again then
          v->state_reason = "Server.AttachPending: " + r.error;
        } else {
          attach_retries_.erase(r.volume_id);
          Detach(*v, now, "Server.AttachFailed: " + r.error);
        }
      } else if (!r.attached && v->attach_state == AttachState::kDetaching) {
        if (r.ok) {
          applied_limits_.erase(r.volume_id);
          sent_limits_.erase(r.volume_id);
          Detach(*v, now, "");
        } else {
          v->state_reason = "Server.DetachPending: " + r.error;  // retried at the next resync
        }
      } else {
        continue;
      }
      v->updated_at = now;
      STRATO_RETURN_IF_ERROR(t.UpdateVolume(*v));
    }
    return OkStatus();
  });
  if (!s.ok()) spdlog::warn("volumes: applying attachment reports failed: {}", s.message());
}

void VolumeController::ConvergeVolumes() {
  const int64_t now = Now();
  std::vector<StorageOp> grows;
  std::vector<std::pair<std::string, VolumeMessage>> plugs;  // host, message
  Status s = store_.Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto volumes, t.ListVolumes(Scope::System(), {.needs_work = true},
                                                        {.limit = kBatch}));
    for (auto& v : volumes) {
      Volume before = v;
      if (v.state == VolumeState::kDeleting && v.instance_id.empty()) {
        STRATO_RETURN_IF_ERROR(t.DeleteVolume(v.id));  // its blobs are collected after
        continue;
      }
      bool held = false;  // by a running real guest: then QEMU grows it (block_resize)
      if (!v.instance_id.empty()) {
        auto inst = t.GetInstance(Scope::System(), v.instance_id);
        if (inst.ok() && inst->host_id && inst->state != InstanceState::kStopped) {
          auto h = t.GetHost(*inst->host_id);
          held = h.ok() && h->driver != "sim";
        }
      }
      if (v.size_gib != v.applied_size_gib && !held &&
          (v.state == VolumeState::kAvailable || v.state == VolumeState::kInUse)) {
        auto blob = t.GetBlob(v.blob_id);
        if (blob.ok() && blob->state == BlobState::kReady) {
          grows.push_back({.type = "grow", .blob_id = v.blob_id, .size_bytes = v.size_gib * kGiB});
        }
      }
      if (!v.instance_id.empty()) {
        auto inst = t.GetInstance(Scope::System(), v.instance_id);
        std::optional<Host> host;
        if (inst.ok() && inst->host_id) {
          auto h = t.GetHost(*inst->host_id);
          if (h.ok()) host = *h;
        }
        // A simulated or stopped instance takes the change at once (a stopped one plugs its
        // volumes at the next start); a running real guest is hot-plugged by its host agent;
        // one in between (starting, stopping) waits for the next pass.
        const bool real = host && host->driver != "sim";
        const bool live = real && inst.ok() && inst->state == InstanceState::kRunning;
        const bool settled = !real || (inst.ok() && inst->state == InstanceState::kStopped);
        const bool transitional = v.attach_state == AttachState::kAttaching ||
                                  v.attach_state == AttachState::kDetaching;
        if (InstanceGone(inst)) {
          STRATO_ASSIGN_OR_RETURN(bool goes, ReleaseFromGoneInstance(t, v));
          Detach(v, now, v.attach_state == AttachState::kDetaching
                             ? ""
                             : "Client.InstanceTerminated: the instance " + v.instance_id +
                                   " ended");
          if (goes) v.state = VolumeState::kDeleting;
        } else if (transitional && settled) {
          if (v.attach_state == AttachState::kDetaching) {
            Detach(v, now, "");
          } else {
            v.attach_state = AttachState::kAttached;
            v.attached_at = now;
            v.state_reason.clear();
          }
        } else if (live && BlobReady(t, v.blob_id) &&
                   (transitional || (v.attach_state == AttachState::kAttached &&
                                     (applied_limits_[v.id] != AttachmentOf(v).throttle ||
                                      v.size_gib != v.applied_size_gib)))) {
          VolumeMessage m{.instance_id = v.instance_id, .volume_id = v.id,
                          .attach = v.attach_state != AttachState::kDetaching,
                          .force = v.force_detach, .attachment = AttachmentOf(v)};
          plugs.emplace_back(host->id, std::move(m));
        }
      }
      if (v.state != before.state || v.attach_state != before.attach_state ||
          v.state_reason != before.state_reason) {
        v.updated_at = now;
        STRATO_RETURN_IF_ERROR(t.UpdateVolume(v));
      }
    }
    return OkStatus();
  });
  if (!s.ok()) spdlog::warn("volumes: converging volumes failed: {}", s.message());
  for (const auto& op : grows) Send(op);
  for (auto& [host_id, m] : plugs) {
    if (auto r = attach_retries_.find(m.volume_id);
        m.attach && r != attach_retries_.end() && now < r->second.next_try_ms)
      continue;
    if (!in_flight_.insert((m.attach ? "attach:" : "detach:") + m.volume_id).second) continue;
    if (m.attach) {
      sent_limits_[m.volume_id] = m.attachment.throttle;
      sent_sizes_[m.volume_id] = m.attachment.size_bytes / kGiB;
    }
    Status sent = agents_.Send(host_id, EncodeVolumeMessage(m));
    if (!sent.ok()) spdlog::warn("volumes: {}: {}", m.volume_id, sent.message());
  }
}

void VolumeController::AdvanceSnapshots() {
  const int64_t now = Now();
  std::vector<std::pair<std::string, VolumeMessage>> switches;
  Status s = store_.Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto snaps, t.ListSnapshots(Scope::System(),
                                                        {.state = SnapshotState::kPending},
                                                        {.limit = kBatch}));
    for (auto& n : snaps) {
      if (n.pending_blob_id.empty() || !BlobReady(t, n.pending_blob_id)) continue;
      auto vol = t.GetVolume(Scope::System(), n.volume_id);
      auto host = vol.ok() ? LiveHostOf(t, *vol) : std::nullopt;
      if (host) {
        switches.emplace_back(*host, VolumeMessage{.instance_id = vol->instance_id,
                                                   .volume_id = vol->id,
                                                   .attach = true,
                                                   .snapshot_blob_id = n.pending_blob_id});
        if (n.progress != 50) {
          n.progress = 50;
          n.updated_at = now;
          STRATO_RETURN_IF_ERROR(t.UpdateSnapshot(n));
        }
        continue;
      }
      Complete(n, now);  // no guest writes to the frozen blob: done
      STRATO_RETURN_IF_ERROR(t.UpdateSnapshot(n));
    }
    return OkStatus();
  });
  if (!s.ok()) spdlog::warn("volumes: advancing snapshots failed: {}", s.message());
  for (auto& [host_id, m] : switches) {
    if (!in_flight_.insert("switch:" + m.volume_id).second) continue;
    Status sent = agents_.Send(host_id, EncodeVolumeMessage(m));
    if (!sent.ok()) spdlog::warn("volumes: {}: {}", m.volume_id, sent.message());
  }
}

void VolumeController::RemoveDeletedSnapshots() {
  Status s = store_.Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto snaps, t.ListSnapshots(Scope::System(),
                                                        {.state = SnapshotState::kDeleting},
                                                        {.limit = kBatch}));
    for (const auto& n : snaps) STRATO_RETURN_IF_ERROR(t.DeleteSnapshot(n.id));
    return OkStatus();
  });
  if (!s.ok()) spdlog::warn("volumes: removing snapshots failed: {}", s.message());
}

void VolumeController::SendBlobOps() {
  std::vector<StorageOp> ops;
  Status s = store_.Write([&](WriteTxn& t) -> Status {
    // Collection first: what nothing references any more starts its deletion.
    STRATO_ASSIGN_OR_RETURN(auto unreferenced, t.ListUnreferencedBlobs(kBatch));
    for (auto& b : unreferenced) {
      b.state = BlobState::kDeleting;
      STRATO_RETURN_IF_ERROR(t.UpdateBlob(b));
    }
    STRATO_ASSIGN_OR_RETURN(auto deleting, t.ListBlobs(BlobState::kDeleting, {.limit = kBatch}));
    for (const auto& b : deleting) ops.push_back({.type = "delete", .blob_id = b.id});
    STRATO_ASSIGN_OR_RETURN(auto creating, t.ListBlobs(BlobState::kCreating, {.limit = kBatch}));
    STRATO_ASSIGN_OR_RETURN(auto imports, t.ListImageData(ImageDataState::kPending, kBatch));
    std::map<std::string, std::string> spools;  // blob → received image waiting for it
    for (const auto& d : imports) spools[d.blob_id] = d.spool_path;
    for (const auto& b : creating) {
      if (spools.count(b.id)) {
        ops.push_back({.type = "import", .blob_id = b.id, .source_path = spools[b.id]});
        continue;
      }
      ops.push_back({.type = "create", .blob_id = b.id, .size_bytes = b.size_bytes,
                     .backing_id = b.backing_id});
    }
    return OkStatus();
  });
  if (!s.ok()) spdlog::warn("volumes: listing storage work failed: {}", s.message());
  for (const auto& op : ops) Send(op);
}

}  // namespace strato
