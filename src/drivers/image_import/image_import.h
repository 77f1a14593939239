#pragma once
// ImportImage: turns an uploaded disk image, read as it streams in, into the qcow2 file the
// image repository keeps. Accepts raw, qcow2, and bzip2- or gzip-compressed raw (the
// `dd` → `mkfs.ext4` → `bzip2` flow). The compression is found from the magic bytes and the
// format by `qemu-img info` on the content — a name or a declared type is never trusted.
// Refuses anything that is not a self-contained raw or qcow2 image (a qcow2 naming a
// backing or external data file could read the host's files).
//
// Crash safety: everything is written under `scratch_dir` and the result appears at `dest`
// by rename only once complete, so a kill at any point leaves no file at `dest`; whoever
// owns scratch_dir clears it on start. On failure nothing is left behind.
// Thread-safety: independent calls may run concurrently (distinct scratch names).

#include <cstdint>
#include <functional>
#include <string>

#include "common/status.h"

namespace strato {

struct ImportedImage {
  std::string source_format;  // "raw" | "qcow2", as qemu-img identified the content
  std::string compression;    // "none" | "bzip2" | "gzip"
  uint64_t uploaded_bytes = 0;
  uint64_t virtual_size = 0;  // bytes of the disk the image describes
  uint64_t stored_bytes = 0;  // size of the qcow2 file at dest
  std::string sha256;         // hex SHA-256 of the qcow2 file at dest
};

struct ImageImportOptions {
  std::string qemu_img = "qemu-img";
  uint64_t max_virtual_size = uint64_t{1} << 40;  // 1 TiB
};

// Reads up to `max` bytes into `out`; 0 at the end. Its errors are returned as they are.
using ImageReadFn = std::function<Result<size_t>(char* out, size_t max)>;

// The first half of ImportImage, for callers that convert elsewhere (the storage agent):
// receives the upload, decompressed, into `spool_path` (sparse) and identifies it. On
// success `spool_path` holds a raw or qcow2 image (stored_bytes and sha256 unset); on
// failure no file is left there. Errors as ImportImage.
Result<ImportedImage> SpoolImage(const ImageReadFn& read, const std::string& spool_path,
                                 const ImageImportOptions& options = {});

// Hex SHA-256 of a file's bytes. Errors: Internal.
Result<std::string> FileSha256(const std::string& path);

// Errors: InvalidParameterValue (empty, truncated, corrupt, unsupported format, backing
// file, too large), the reader's own errors, Internal (disk full, qemu-img missing).
Result<ImportedImage> ImportImage(const ImageReadFn& read, const std::string& scratch_dir,
                                  const std::string& dest, const ImageImportOptions& options = {});

}  // namespace strato
