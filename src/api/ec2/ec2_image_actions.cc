// RegisterImage, CreateImage, DescribeImages and DeregisterImage over ImageCommands.
#include <algorithm>

#include "api/ec2/ec2_api.h"
#include "api/ec2/ec2_render.h"

namespace strato::api::ec2 {
namespace {

void WriteImage(XmlWriter& x, const ImageView& v, const std::vector<TagEntry>& tags) {
  const Image& i = v.image;
  x.Open("item");
  x.Leaf("imageId", i.id);
  x.Leaf("imageLocation", i.tenant_id + "/" + i.name);
  x.Leaf("imageState", i.state);
  x.Leaf("imageOwnerId", i.tenant_id);
  x.Leaf("creationDate", Ec2Time(i.created_at));
  x.Leaf("isPublic", i.is_public);
  x.Leaf("architecture", "x86_64");
  x.Leaf("imageType", "machine");
  x.Leaf("name", i.name);
  if (!i.description.empty()) x.Leaf("description", i.description);
  x.Leaf("rootDeviceType", "ebs");
  x.Leaf("rootDeviceName", "/dev/vda");
  if (v.data) {
    x.Open("blockDeviceMapping");
    x.Open("item");
    x.Leaf("deviceName", "/dev/vda");
    x.Open("ebs");
    if (!v.data->snapshot_id.empty()) x.Leaf("snapshotId", v.data->snapshot_id);
    x.Leaf("volumeSize", std::max<int64_t>(1, (v.data->virtual_size + kGiB - 1) / kGiB));
    x.Leaf("deleteOnTermination", true);
    x.Leaf("volumeType", "gp3");
    x.Close();
    x.Close();
    x.Close();
  } else {
    x.Empty("blockDeviceMapping");
  }
  x.Leaf("virtualizationType", "hvm");
  std::map<std::string, std::string> map;
  for (const auto& t : tags) map[t.key] = t.value;
  WriteTagSet(x, map);
  x.Close();
}

Status DescribeImages(const Ec2Deps& d, const Ec2Call& c, XmlWriter& x) {
  ImageListFilter which;
  STRATO_ASSIGN_OR_RETURN(which.ids, c.params.List("ImageId"));
  STRATO_ASSIGN_OR_RETURN(which.owners, c.params.List("Owner"));
  STRATO_ASSIGN_OR_RETURN(which.executable_by, c.params.List("ExecutableBy"));
  STRATO_ASSIGN_OR_RETURN(auto filters, c.params.Filters());
  STRATO_RETURN_IF_ERROR(c.params.Bool("IncludeDeprecated").status());
  STRATO_RETURN_IF_ERROR(c.params.Int("MaxResults", 5, 1000).status());
  std::vector<std::string> names, image_ids, states, publics, owner_ids;
  for (const auto& f : filters) {
    auto* into = f.name == "name"        ? &names
                 : f.name == "image-id"  ? &image_ids
                 : f.name == "state"     ? &states
                 : f.name == "is-public" ? &publics
                 : f.name == "owner-id"  ? &owner_ids
                                         : nullptr;
    if (!into) return InvalidParameter("The filter '" + f.name + "' is invalid.");
    into->insert(into->end(), f.values.begin(), f.values.end());
  }
  STRATO_ASSIGN_OR_RETURN(auto images, d.images->List(c.principal, which));
  x.Open("imagesSet");
  for (const auto& v : images) {
    const Image& i = v.image;
    if (!FilterMatches(names, i.name) || !FilterMatches(image_ids, i.id) ||
        !FilterMatches(states, i.state) ||
        !FilterMatches(publics, i.is_public ? "true" : "false") ||
        !FilterMatches(owner_ids, i.tenant_id)) {
      continue;
    }
    std::vector<TagEntry> tags;
    if (i.tenant_id == c.principal.tenant_id) {
      STRATO_ASSIGN_OR_RETURN(tags, d.resources->ListTags(c.principal, i.id));
    }
    WriteImage(x, v, tags);
  }
  x.Close();
  return OkStatus();
}

}  // namespace

void RegisterImageActions(Ec2Api& api) {
  const Ec2Deps* d = &api.deps();
  api.Register("DescribeImages",
               {"ImageId.#", "Owner.#", "ExecutableBy.#", "Filter.#.Name", "Filter.#.Value.#",
                "IncludeDeprecated", "MaxResults", "NextToken"},
               [d](const Ec2Call& c, XmlWriter& x) { return DescribeImages(*d, c, x); });

  // With ImageLocation=bucket/key the object's bytes are imported as the image's disk (the
  // format found from the content); without it the image is a record that boots the
  // default guest.
  api.Register("RegisterImage",
               {"Name", "Description", "ImageLocation", "Architecture", "RootDeviceName",
                "VirtualizationType", "EnaSupport", "BootMode"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 STRATO_ASSIGN_OR_RETURN(auto name, c.params.Required("Name"));
                 std::string desc = c.params.Optional("Description").value_or("");
                 auto arch = c.params.Optional("Architecture");
                 if (arch && *arch != "x86_64") {
                   return InvalidParameter("Architecture '" + *arch + "' is not supported.");
                 }
                 auto location = c.params.Optional("ImageLocation");
                 std::string id;
                 if (location) {
                   STRATO_ASSIGN_OR_RETURN(auto v, d->images->UploadFromObject(
                                                       c.principal, name, desc, *location,
                                                       *d->objects));
                   id = v.image.id;
                 } else {
                   STRATO_ASSIGN_OR_RETURN(auto i, d->resources->CreateImage(c.principal, name,
                                                                             desc, false));
                   id = i.id;
                 }
                 x.Leaf("imageId", id);
                 return OkStatus();
               });

  api.Register("CreateImage", {"InstanceId", "Name", "Description", "NoReboot"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 STRATO_ASSIGN_OR_RETURN(auto iid, c.params.Required("InstanceId"));
                 STRATO_ASSIGN_OR_RETURN(auto name, c.params.Required("Name"));
                 STRATO_RETURN_IF_ERROR(c.params.Bool("NoReboot").status());
                 std::string desc = c.params.Optional("Description").value_or("");
                 STRATO_ASSIGN_OR_RETURN(auto v,
                                         d->images->CreateFromInstance(c.principal,
                                                                       {iid, name, desc}));
                 x.Leaf("imageId", v.image.id);
                 return OkStatus();
               });

  api.Register("DeregisterImage", {"ImageId"}, [d](const Ec2Call& c, XmlWriter& x) {
    STRATO_ASSIGN_OR_RETURN(auto id, c.params.Required("ImageId"));
    STRATO_RETURN_IF_ERROR(d->images->Deregister(c.principal, id).status());
    x.Leaf("return", true);
    return OkStatus();
  });
}

}  // namespace strato::api::ec2
