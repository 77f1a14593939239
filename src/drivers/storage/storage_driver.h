#pragma once
// StorageDriver: the narrow interface every block-storage backend implements (qcow2 files
// now; LVM or Ceph RBD could follow).
//
// Everything stored is a *blob*: one copy-on-write layer, named by an id the control
// plane chooses ("blob-…"). A blob may be backed by another blob; reads of clusters it does
// not hold fall through to its backing chain. The control plane gives every blob a role:
//   - a volume is its active (writable) blob, an overlay whose chain may lead to snapshot
//     and image blobs;
//   - a snapshot freezes a volume's active blob (it becomes read-only forever) and gives
//     the volume a new, empty overlay on top of it: O(1), no data copied;
//   - a volume from a snapshot is a new overlay backed by the snapshot's blob.
// The control plane counts references (volumes, snapshots, images, and overlays backed onto
// a blob) and deletes a blob only when none is left.
//
// Crash safety: every operation that makes a blob writes it under a temporary name and
// renames it into place, so a blob either exists whole or not at all; Reconcile() removes
// temporary files and blobs the control plane does not know.
// Only the host/storage agent calls a driver, from its own thread; calls may block.
// Errors: InvalidParameterValue (bad input a caller could have avoided), InternalError
// (the backend failed), InvalidBlob.NotFound.

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"

namespace strato {

struct BlobInfo {
  std::string id;
  int64_t virtual_size = 0;  // bytes the guest sees
  int64_t actual_size = 0;   // bytes on disk for this layer alone
  std::string format;        // "qcow2"
  std::string backing_id;    // "" when the blob is a base layer
};

class StorageDriver {
 public:
  virtual ~StorageDriver() = default;

  // Creates an empty blob of `size_bytes`, backed by `backing_id` when not empty (the
  // size then defaults to the backing blob's when 0). Idempotent: an existing blob with
  // the same backing is success.
  virtual Status Create(const std::string& id, int64_t size_bytes,
                        const std::string& backing_id) = 0;
  // Converts a file in any format qemu-img detects (never trusted from the name) into a
  // new base blob. Idempotent like Create.
  virtual Status Import(const std::string& id, const std::string& source_path) = 0;
  // Grows the blob's virtual size; shrinking is refused (InvalidParameterValue).
  virtual Status Grow(const std::string& id, int64_t size_bytes) = 0;
  virtual Result<BlobInfo> Inspect(const std::string& id) = 0;
  // Consistency check of the blob's metadata (qemu-img check).
  virtual Status Check(const std::string& id) = 0;
  // Removes the blob. Idempotent: an absent blob is success.
  virtual Status Delete(const std::string& id) = 0;
  virtual std::vector<std::string> List() = 0;
  // Removes partial files and every blob not in `known`; returns what it removed.
  virtual std::vector<std::string> Reconcile(const std::set<std::string>& known) = 0;
  // Where a hypervisor on this host opens the blob (a qcow2 file path).
  virtual std::string Path(const std::string& id) const = 0;
};

}  // namespace strato
