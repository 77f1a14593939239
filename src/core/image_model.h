#pragma once
// The image repository's records beside the image itself (core/model.h's Image): where an
// image's disk lives and how it got there, and which volumes are some instance's root
// device. Plain records as the store keeps them; rules live in commands/image_commands.h.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/model.h"

namespace strato {

enum class ImageDataState { kPending, kAvailable, kFailed };

// The disk of an image that has one (uploaded, or made from an instance's root volume).
// Images without a row boot the default guest (kernel + initramfs only).
struct ImageData {
  std::string image_id;
  std::string blob_id;      // the base blob holding the disk ("" once failed)
  std::string snapshot_id;  // the snapshot it was made from, or "" for an upload
  ImageDataState state = ImageDataState::kPending;
  std::string state_reason;
  std::string source_format;  // "raw" | "qcow2" as detected, or "snapshot"
  std::string compression;    // "none" | "bzip2" | "gzip"
  std::string spool_path;     // the received disk waiting for conversion, while pending
  int64_t uploaded_bytes = 0;
  int64_t virtual_size = 0;   // bytes of the disk the image describes
  int64_t stored_bytes = 0;   // size of the stored qcow2
  std::string sha256;         // hex SHA-256 of the stored qcow2, once available
  TimeMs created_at = 0;
};

// A volume that is an instance's root device (/dev/vda). Whether it goes with the instance
// is its attachment's Volume::delete_on_termination (always true for instance-store).
struct RootVolume {
  std::string volume_id;
  std::string instance_id;
  bool instance_store = false;  // ephemeral: the instance cannot stop
};

const char* ToString(ImageDataState s);
std::optional<ImageDataState> ParseImageDataState(std::string_view s);

}  // namespace strato
