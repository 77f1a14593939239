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
// Launch permissions (EC2 semantics): an image is usable (listed, shown, launched) by its
// owner tenant, by the tenants it is shared with, and by everyone when public. Only the
// owner or the cloud admin changes or reads the permissions, changes the description, or
// deregisters; another tenant that can see the image gets UnauthorizedOperation, one that
// cannot InvalidAMIID.NotFound.
//
// Deregister removes the image, its launch permissions and its tags; its disk goes once
// nothing depends on it. Volumes and snapshots backed onto it, any tenant's (an instance
// launched from a shared image keeps working), keep exactly the blobs they need; the answer
// names the caller's own.
// Errors: InvalidParameterValue, MissingParameter, InvalidAMIID.NotFound,
// UnauthorizedOperation, InvalidInstanceID.NotFound, IncorrectInstanceState,
// InvalidParameterCombination.
// Thread-safety: stateless; safe from any thread.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "commands/command_env.h"
#include "commands/object_commands.h"
#include "drivers/image_import/image_import.h"

namespace strato {

struct ImageView {
  Image image;                    // state: the disk's state when it has one
  std::optional<ImageData> data;  // absent: the default guest (no disk)
  // Tenants holding a launch permission: all of them for the owner (and the cloud admin);
  // for anyone else the caller alone, when it holds one.
  std::vector<std::string> launch_tenants;
};

// Which images List returns; every set criterion must match.
struct ImageListFilter {
  std::vector<std::string> ids;     // each must be visible (InvalidAMIID.NotFound otherwise)
  std::vector<std::string> owners;  // owner tenant ids, "self" for the caller's
  // Any of: "all" (public images), "self" or the caller's tenant id (images shared with the
  // caller, not its own), another tenant id (the caller's images shared with that tenant).
  std::vector<std::string> executable_by;
};

struct LaunchPermission {
  bool is_public = false;
  std::vector<std::string> tenants;  // sorted
};

// Applied in order: reset, add, remove, public. Granting to the image's owner changes
// nothing, as does revoking a grant that does not exist.
struct ModifyLaunchPermissionInput {
  std::vector<std::string> add_tenants;     // each an existing tenant (else InvalidParameterValue)
  std::vector<std::string> remove_tenants;  // not also in add_tenants
  std::optional<bool> make_public;
  bool reset = false;  // private, without grants (EC2 ResetImageAttribute)
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
  Result<std::vector<ImageView>> List(const Principal& p, const ImageListFilter& filter = {});
  Result<DeregisterResult> Deregister(const Principal& p, const std::string& id);

  // Launch permissions (image_permission_commands.cc): owner or cloud admin only.
  Result<LaunchPermission> DescribeImageLaunchPermission(const Principal& p,
                                                         const std::string& id);
  Result<LaunchPermission> ModifyImageLaunchPermission(const Principal& p, const std::string& id,
                                                       const ModifyLaunchPermissionInput& in);
  // Replaces the description ("" clears it); owner or cloud admin only, as above.
  // Errors: InvalidParameterValue (too long), InvalidAMIID.NotFound, UnauthorizedOperation.
  Result<ImageView> SetDescription(const Principal& p, const std::string& id,
                                   const std::string& description);

 private:
  CommandEnv& env_;
  const std::string spool_dir_;
  const ImageImportOptions import_;
};

inline constexpr size_t kMaxImageDescription = 255;
// InvalidParameterValue when longer than kMaxImageDescription.
Status ValidateImageDescription(const std::string& description);

// The image's disk as it stands in `t` (a snapshot-made image is available once its
// snapshot completed), or nullopt for an image without one.
Result<std::optional<ImageData>> ImageDiskOf(ReadTxn& t, const std::string& image_id);
// The image `p` may change, for `action` ("deregister") in the error: its own, or any for
// the cloud admin. InvalidAMIID.NotFound when `p` cannot see it, UnauthorizedOperation when
// it sees but does not own it.
Result<Image> OwnedImage(ReadTxn& t, const Principal& p, const std::string& id,
                         std::string_view action);
// Deregisters inside `t` (shared with ResourceCommands::DeleteImage); see OwnedImage.
Result<DeregisterResult> DeregisterImageInTxn(WriteTxn& t, const Principal& p,
                                              const std::string& id);
// The image made from snapshot `snapshot_id`, if any.
Result<std::optional<std::string>> ImageMadeFromSnapshot(ReadTxn& t,
                                                         const std::string& snapshot_id);

}  // namespace strato
