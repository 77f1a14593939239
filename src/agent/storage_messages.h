#pragma once
// The controller ↔ storage-agent protocol, JSON text both ways like the host agent's.
//
// controller → storage agent
//   {"type":"create", "blob_id":"blob-…", "size_bytes":N, "backing_id":"blob-…"|""}
//   {"type":"grow",   "blob_id":"blob-…", "size_bytes":N}
//   {"type":"delete", "blob_id":"blob-…"}
//   {"type":"import", "blob_id":"blob-…", "source_path":"…"}   convert a received image
//      (raw or qcow2) into a new base blob; the source file is removed once converted
//   {"type":"reconcile", "known":["blob-…", …], "source_path":"<spool dir>"}   remove partial
//      files, unknown blobs, and spooled uploads of unknown blobs
// storage agent → controller
//   {"op":"create|grow|delete|reconcile", "blob_id":"…", "ok":bool, "error":"…",
//    "size_bytes":N, "sha256":"…"}   (import: stored size and SHA-256 of the new blob)

#include <cstdint>
#include <set>
#include <string>

#include "common/status.h"

namespace strato {

struct StorageOp {
  std::string type;  // create | grow | delete | import | reconcile
  std::string blob_id;
  int64_t size_bytes = 0;
  std::string backing_id;
  std::set<std::string> known;  // reconcile
  std::string source_path;      // import: the received image; reconcile: the spool dir
};

struct StorageReport {
  std::string op;
  std::string blob_id;
  bool ok = false;
  std::string error;
  int64_t size_bytes = 0;
  std::string sha256;  // import
};

std::string EncodeStorageOp(const StorageOp& op);
Result<StorageOp> DecodeStorageOp(const std::string& text);
std::string EncodeStorageReport(const StorageReport& r);
Result<StorageReport> DecodeStorageReport(const std::string& text);

}  // namespace strato
