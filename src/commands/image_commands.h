#pragma once
// ImageCommands: the image repository. An image may carry a disk (ImageData): uploaded
// (raw, qcow2, or bzip2/gzip-compressed raw, detected from the content) or made from an
// instance's root volume. Instances launched from an image with a disk boot with a
// copy-on-write root volume over it (see root_volume.h).
//
// Upload streams the body, decompressed, into a spool file on the caller's thread (the
// data path: never buffered whole) and identifies it (qemu-img info/check); bad input is
// refused there with InvalidParameterValue and nothing is left. It then records the image
// `pending` with a base blob in `creating`, and returns: the storage agent converts the
// spool into the blob (qcow2) off the API thread, and the volume controller makes the image
// `available` (with the stored file's SHA-256) or `failed`.
//
// Deregister removes the image; its disk goes once nothing depends on it. Volumes and
// snapshots backed onto it keep exactly the blobs they need, and the answer names them.
// Errors: InvalidParameterValue, MissingParameter, InvalidAMIID.NotFound, AuthFailure,
// InvalidInstanceID.NotFound, IncorrectInstanceState, InvalidParameterCombination.
// Thread-safety: stateless; safe from any thread.

#include <optional>
#include <string>
#include <vector>

#include "commands/command_env.h"
#include "commands/object_commands.h"
#include "drivers/image_import/image_import.h"

namespace strato {

struct ImageView {
  Image image;                    // state: the disk's state when it has one
  std::optional<ImageData> data;  // absent: the default guest (no disk)
};

struct DeregisterResult {
  std::string image_id;
  bool had_disk = false;     // false: a record only, nothing stored
  bool data_deleted = true;  // false: kept for the dependents
  std::vector<std::string> dependents;  // volumes and snapshots still backed by its disk
  std::string spool_path;  // a received image not yet converted, to remove after the commit
};

struct UploadImageInput {
  std::string name;
  std::string description;
  ImageReadFn read;
};

struct CreateImageFromInstanceInput {
  std::string instance_id;
  std::string name;
  std::string description;
};

class ImageCommands {
 public:
  // Spools land in `spool_dir` as "<blob-id>.upload" (the volume controller knows the dir).
  ImageCommands(CommandEnv& env, std::string spool_dir, ImageImportOptions import = {});

  Result<ImageView> Upload(const Principal& p, const UploadImageInput& in);
  // Upload from an object of the caller's object store (EC2 RegisterImage's ImageLocation
  // "bucket/key"). InvalidParameterValue when the location cannot be read.
  Result<ImageView> UploadFromObject(const Principal& p, const std::string& name,
                                     const std::string& description, const std::string& location,
                                     ObjectCommands& objects);
  // Snapshots the instance's root volume (crash-consistent while it runs) and registers an
  // image over the snapshot; available once the snapshot completes.
  Result<ImageView> CreateFromInstance(const Principal& p, const CreateImageFromInstanceInput& in);
  Result<ImageView> Get(const Principal& p, const std::string& id);
  Result<std::vector<ImageView>> List(const Principal& p);
  Result<DeregisterResult> Deregister(const Principal& p, const std::string& id);

 private:
  CommandEnv& env_;
  const std::string spool_dir_;
  const ImageImportOptions import_;
};

// The image's disk as it stands in `t` (a snapshot-made image is available once its
// snapshot completed), or nullopt for an image without one.
Result<std::optional<ImageData>> ImageDiskOf(ReadTxn& t, const std::string& image_id);
// Deregisters inside `t` (shared with ResourceCommands::DeleteImage). `p` must own it.
Result<DeregisterResult> DeregisterImageInTxn(WriteTxn& t, const Principal& p,
                                              const std::string& id);
// The image made from snapshot `snapshot_id`, if any.
Result<std::optional<std::string>> ImageMadeFromSnapshot(ReadTxn& t,
                                                         const std::string& snapshot_id);

}  // namespace strato
