#include "commands/image_commands.h"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include "commands/validation.h"
#include "commands/volume_commands.h"
#include "common/ids.h"

namespace strato {
namespace {

namespace fs = std::filesystem;
constexpr int kBatch = 1000;

Status ValidateImageText(const std::string& name, const std::string& description) {
  STRATO_RETURN_IF_ERROR(ValidateName("name", name, 128));
  return ValidateImageDescription(description);
}

// Every blob whose backing chain reaches `root`, `root` included.
Result<std::set<std::string>> BlobsOver(ReadTxn& t, const std::string& root) {
  std::multimap<std::string, std::string> children;  // backing → blob
  Page page{.limit = kBatch};
  for (;;) {
    STRATO_ASSIGN_OR_RETURN(auto blobs, t.ListBlobs(std::nullopt, page));
    for (const auto& b : blobs) {
      if (!b.backing_id.empty()) children.emplace(b.backing_id, b.id);
    }
    if (blobs.size() < static_cast<size_t>(kBatch)) break;
    page.after_id = blobs.back().id;
  }
  std::set<std::string> out{root};
  std::vector<std::string> todo{root};
  while (!todo.empty()) {
    std::string b = todo.back();
    todo.pop_back();
    auto [lo, hi] = children.equal_range(b);
    for (auto it = lo; it != hi; ++it) {
      if (out.insert(it->second).second) todo.push_back(it->second);
    }
  }
  return out;
}

struct Dependents {
  bool any = false;                // of any tenant
  std::vector<std::string> named;  // those the viewer sees as its volumes and snapshots
};

// Volumes and snapshots, of every tenant, whose data is read through `blob_id`; named are
// those `viewer` may see (its own, all for the cloud admin; instance-store roots never).
Result<Dependents> DependentsOf(ReadTxn& t, const std::string& blob_id, const Principal& viewer) {
  STRATO_ASSIGN_OR_RETURN(auto chain, BlobsOver(t, blob_id));
  auto sees = [&](const std::string& tenant_id) {
    return viewer.is_admin() || tenant_id == viewer.tenant_id;
  };
  Dependents out;
  Page page{.limit = kBatch};
  for (;;) {
    STRATO_ASSIGN_OR_RETURN(auto vols, t.ListVolumes(Scope::System(), {}, page));
    for (const auto& v : vols) {
      if (!chain.count(v.blob_id)) continue;
      out.any = true;
      if (!sees(v.tenant_id)) continue;
      STRATO_ASSIGN_OR_RETURN(auto root, t.GetRootVolume(v.id));
      if (!root || !root->instance_store) out.named.push_back(v.id);
    }
    if (vols.size() < static_cast<size_t>(kBatch)) break;
    page.after_id = vols.back().id;
  }
  page = Page{.limit = kBatch};
  for (;;) {
    STRATO_ASSIGN_OR_RETURN(auto snaps, t.ListSnapshots(Scope::System(), {}, page));
    for (const auto& n : snaps) {
      if (!chain.count(n.blob_id) && !chain.count(n.pending_blob_id)) continue;
      out.any = true;
      if (sees(n.tenant_id)) out.named.push_back(n.id);
    }
    if (snaps.size() < static_cast<size_t>(kBatch)) break;
    page.after_id = snaps.back().id;
  }
  return out;
}

// The image as `p` sees it: its disk's state, and the launch permissions `p` may know of.
Result<ImageView> ViewOf(ReadTxn& t, const Principal& p, Image image) {
  ImageView v{std::move(image), std::nullopt, {}};
  STRATO_ASSIGN_OR_RETURN(v.data, ImageDiskOf(t, v.image.id));
  if (v.data) v.image.state = ToString(v.data->state);
  if (v.image.tenant_id == p.tenant_id || p.is_admin()) {
    STRATO_ASSIGN_OR_RETURN(v.launch_tenants, t.ListLaunchPermissions(v.image.id));
  } else {
    STRATO_ASSIGN_OR_RETURN(bool granted, t.HasLaunchPermission(v.image.id, p.tenant_id));
    if (granted) v.launch_tenants.push_back(p.tenant_id);
  }
  return v;
}

bool Contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

// ImageListFilter::owners and ::executable_by (ids are looked up, not filtered).
bool Matches(const ImageView& v, const Principal& p, const ImageListFilter& f) {
  const std::string& owner = v.image.tenant_id;
  if (!f.owners.empty() &&
      std::none_of(f.owners.begin(), f.owners.end(), [&](const std::string& o) {
        return (o == "self" ? p.tenant_id : o) == owner;
      })) {
    return false;
  }
  if (f.executable_by.empty()) return true;
  const bool own = owner == p.tenant_id;
  for (const auto& e : f.executable_by) {
    if (e == "all") {
      if (v.image.is_public) return true;
      continue;
    }
    const std::string& who = e == "self" ? p.tenant_id : e;
    // Shared with the caller (never its own), or the caller's own shared with `who`.
    if (own != (who == p.tenant_id) && Contains(v.launch_tenants, who)) return true;
  }
  return false;
}

}  // namespace

Result<std::optional<ImageData>> ImageDiskOf(ReadTxn& t, const std::string& image_id) {
  auto d = t.GetImageData(image_id);
  if (!d.ok()) {
    if (d.status().http_status() == 404) return std::optional<ImageData>();
    return d.status();
  }
  if (d->state == ImageDataState::kPending && !d->snapshot_id.empty()) {
    auto snap = t.GetSnapshot(Scope::System(), d->snapshot_id);
    if (!snap.ok() || snap->state == SnapshotState::kError) {
      d->state = ImageDataState::kFailed;
      d->state_reason = "Server.InternalError: the snapshot of the root volume failed";
    } else if (snap->state == SnapshotState::kCompleted) {
      d->state = ImageDataState::kAvailable;
    }
  }
  return std::optional<ImageData>(std::move(d).value());
}

Result<std::optional<std::string>> ImageMadeFromSnapshot(ReadTxn& t,
                                                         const std::string& snapshot_id) {
  STRATO_ASSIGN_OR_RETURN(auto all, t.ListImageData(std::nullopt, 100000));
  for (const auto& d : all) {
    if (d.snapshot_id == snapshot_id) return std::optional<std::string>(d.image_id);
  }
  return std::optional<std::string>();
}

Status ValidateImageDescription(const std::string& description) {
  if (description.size() > kMaxImageDescription) {
    return InvalidParameter("'description' must be at most " +
                            std::to_string(kMaxImageDescription) + " characters.");
  }
  return OkStatus();
}

Result<Image> OwnedImage(ReadTxn& t, const Principal& p, const std::string& id,
                         std::string_view action) {
  STRATO_ASSIGN_OR_RETURN(auto image, t.GetImage(Scope::For(p), id));
  if (image.tenant_id != p.tenant_id && !p.is_admin()) {
    return Forbidden("UnauthorizedOperation",
                     "You are not authorized to " + std::string(action) + " image '" + id +
                         "': it belongs to another tenant, and only its owner (or the cloud admin) can.");
  }
  return image;
}

Result<DeregisterResult> DeregisterImageInTxn(WriteTxn& t, const Principal& p,
                                              const std::string& id) {
  STRATO_RETURN_IF_ERROR(OwnedImage(t, p, id, "deregister").status());
  DeregisterResult out{.image_id = id};
  STRATO_RETURN_IF_ERROR(t.DeleteImage(id));  // its launch permissions go with it
  auto disk = t.GetImageData(id);
  if (!disk.ok()) return out;  // no disk: a record only
  out.had_disk = true;
  STRATO_RETURN_IF_ERROR(t.DeleteImageData(id));
  if (disk->blob_id.empty()) return out;
  if (disk->state == ImageDataState::kPending && disk->snapshot_id.empty()) {
    // Still converting: its blob has no dependents yet; the delete queues after the import.
    STRATO_ASSIGN_OR_RETURN(auto blob, t.GetBlob(disk->blob_id));
    blob.state = BlobState::kDeleting;
    STRATO_RETURN_IF_ERROR(t.UpdateBlob(blob));
    out.spool_path = disk->spool_path;
    return out;
  }
  STRATO_ASSIGN_OR_RETURN(auto dependents, DependentsOf(t, disk->blob_id, p));
  out.data_deleted = !dependents.any;
  out.dependents = std::move(dependents.named);
  return out;
}

ImageCommands::ImageCommands(CommandEnv& env, std::string spool_dir, ImageImportOptions import)
    : env_(env), spool_dir_(std::move(spool_dir)), import_(std::move(import)) {}

Result<ImageView> ImageCommands::Upload(const Principal& p, const UploadImageInput& in) {
  STRATO_RETURN_IF_ERROR(ValidateImageText(in.name, in.description));
  const std::string blob_id = NewResourceId("blob");
  const std::string spool = spool_dir_ + "/" + blob_id + ".upload";
  STRATO_ASSIGN_OR_RETURN(auto got, SpoolImage(in.read, spool, import_));
  const int64_t now = env_.now_ms();
  ImageView view;
  view.image = Image{NewResourceId("ami"), p.tenant_id, in.name, in.description, false,
                     "pending", now};
  ImageData d;
  d.image_id = view.image.id;
  d.blob_id = blob_id;
  d.state = ImageDataState::kPending;
  d.source_format = got.source_format;
  d.compression = got.compression;
  d.spool_path = spool;
  d.uploaded_bytes = static_cast<int64_t>(got.uploaded_bytes);
  d.virtual_size = static_cast<int64_t>(got.virtual_size);
  d.created_at = now;
  Blob blob{.id = blob_id, .size_bytes = d.virtual_size, .state = BlobState::kCreating,
            .created_at = now};
  Status s = env_.store->Write([&](WriteTxn& t) -> Status {
    STRATO_RETURN_IF_ERROR(t.InsertImage(view.image));
    STRATO_RETURN_IF_ERROR(t.InsertBlob(blob));
    return t.PutImageData(d);
  });
  if (!s.ok()) {
    std::error_code ec;
    fs::remove(spool, ec);
    return s;
  }
  view.data = d;
  env_.kick_volumes();
  return view;
}

Result<ImageView> ImageCommands::UploadFromObject(const Principal& p, const std::string& name,
                                                  const std::string& description,
                                                  const std::string& location,
                                                  ObjectCommands& objects) {
  const size_t slash = location.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == location.size()) {
    return InvalidParameter("'ImageLocation' must be 'bucket/key', not '" + location + "'.");
  }
  auto object = objects.GetObject(p, location.substr(0, slash), location.substr(slash + 1));
  if (!object.ok()) {
    return InvalidParameter("The image location '" + location +
                            "' cannot be read: " + object.status().message());
  }
  ObjectReader& reader = *object->reader;
  return Upload(p, {name, description,
                    [&reader](char* out, size_t max) { return reader.Read(out, max); }});
}

Result<ImageView> ImageCommands::CreateFromInstance(const Principal& p,
                                                    const CreateImageFromInstanceInput& in) {
  STRATO_RETURN_IF_ERROR(
      ValidateId("instance_id", in.instance_id, "i", "InvalidInstanceID.NotFound"));
  STRATO_RETURN_IF_ERROR(ValidateImageText(in.name, in.description));
  const int64_t now = env_.now_ms();
  ImageView view;
  view.image = Image{NewResourceId("ami"), p.tenant_id, in.name, in.description, false,
                     "pending", now};
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto inst, t.GetInstance(Scope::Tenant(p.tenant_id), in.instance_id));
    if (inst.state == InstanceState::kTerminated || inst.state == InstanceState::kShuttingDown) {
      return IncorrectInstanceState("The instance '" + inst.id + "' is " + ToString(inst.state) +
                                    ".");
    }
    STRATO_ASSIGN_OR_RETURN(auto root, t.GetRootVolumeOf(inst.id));
    if (!root) {
      return InvalidParameter("The instance '" + inst.id +
                              "' has no root volume (its image has no disk) to make an image of.");
    }
    if (root->instance_store) {
      return BadRequest("UnsupportedOperation", "The instance '" + inst.id +
                                                    "' has an instance-store root device; only "
                                                    "volume-backed instances make images.");
    }
    STRATO_ASSIGN_OR_RETURN(
        auto snap, SnapshotVolumeInTxn(t, p.tenant_id, root->volume_id,
                                       "Created for " + view.image.id + " from " + inst.id, now));
    STRATO_RETURN_IF_ERROR(t.InsertSnapshot(snap));
    ImageData d;
    d.image_id = view.image.id;
    d.blob_id = snap.blob_id;
    d.snapshot_id = snap.id;
    d.state = ImageDataState::kPending;
    d.source_format = "snapshot";
    d.compression = "none";
    d.virtual_size = snap.volume_size_gib * kGiB;
    d.created_at = now;
    STRATO_RETURN_IF_ERROR(t.InsertImage(view.image));
    STRATO_RETURN_IF_ERROR(t.PutImageData(d));
    view.data = d;
    return OkStatus();
  }));
  env_.kick_volumes();
  return view;
}

Result<ImageView> ImageCommands::Get(const Principal& p, const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateId("image_id", id, "ami", "InvalidAMIID.NotFound"));
  ImageView view;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto image, t.GetImage(Scope::Tenant(p.tenant_id), id));
    STRATO_ASSIGN_OR_RETURN(view, ViewOf(t, p, std::move(image)));
    return OkStatus();
  }));
  return view;
}

Result<ImageView> ImageCommands::SetDescription(const Principal& p, const std::string& id,
                                                const std::string& description) {
  STRATO_RETURN_IF_ERROR(ValidateId("image_id", id, "ami", "InvalidAMIID.NotFound"));
  STRATO_RETURN_IF_ERROR(ValidateImageDescription(description));
  ImageView view;
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto image, OwnedImage(t, p, id, "change the description of"));
    STRATO_RETURN_IF_ERROR(t.SetImageDescription(id, description));
    image.description = description;
    STRATO_ASSIGN_OR_RETURN(view, ViewOf(t, p, std::move(image)));
    return OkStatus();
  }));
  return view;
}

Result<std::vector<ImageView>> ImageCommands::List(const Principal& p,
                                                  const ImageListFilter& filter) {
  for (const auto& id : filter.ids) {
    STRATO_RETURN_IF_ERROR(ValidateId("image_id", id, "ami", "InvalidAMIID.NotFound"));
  }
  std::vector<ImageView> out;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) -> Status {
    std::vector<Image> images;
    if (filter.ids.empty()) {
      STRATO_ASSIGN_OR_RETURN(images, t.ListImages(Scope::Tenant(p.tenant_id), {.limit = 100000}));
    }
    for (const auto& id : filter.ids) {
      STRATO_ASSIGN_OR_RETURN(auto image, t.GetImage(Scope::Tenant(p.tenant_id), id));
      images.push_back(std::move(image));
    }
    for (auto& i : images) {
      STRATO_ASSIGN_OR_RETURN(auto v, ViewOf(t, p, std::move(i)));
      if (Matches(v, p, filter)) out.push_back(std::move(v));
    }
    return OkStatus();
  }));
  return out;
}

Result<DeregisterResult> ImageCommands::Deregister(const Principal& p, const std::string& id) {
  STRATO_RETURN_IF_ERROR(ValidateId("image_id", id, "ami", "InvalidAMIID.NotFound"));
  DeregisterResult out;
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(out, DeregisterImageInTxn(t, p, id));
    return OkStatus();
  }));
  if (!out.spool_path.empty()) {
    // A conversion in progress keeps reading the unlinked file; one not yet started fails
    // harmlessly, and the blob's deletion follows either way.
    std::error_code ec;
    fs::remove(out.spool_path, ec);
  }
  env_.kick_volumes();
  return out;
}

}  // namespace strato
