// Volume actions: CreateVolume, DescribeVolumes, AttachVolume, DetachVolume, DeleteVolume,
// ModifyVolume, DescribeVolumesModifications. Parse → VolumeCommands → render; the EBS rules
// live in the commands.
#include "api/ec2/ec2_api.h"
#include "api/ec2/ec2_paging.h"
#include "api/ec2/ec2_render.h"
#include "api/ec2/ec2_resource_filter.h"
#include "commands/volume_commands.h"
#include "core/volume_modification.h"
#include "core/volume_types.h"

namespace strato::api::ec2 {
namespace {

const std::vector<std::string> kVolumeFilters = {"status",
                                                 "attachment.instance-id",
                                                 "attachment.status",
                                                 "attachment.device",
                                                 "attachment.delete-on-termination",
                                                 "volume-id",
                                                 "volume-type",
                                                 "availability-zone",
                                                 "size",
                                                 "snapshot-id",
                                                 "encrypted",
                                                 "multi-attach-enabled",
                                                 "create-time"};

// Sizes the native API accepts too; the type's own range is checked by the commands.
constexpr int64_t kMaxSizeGib = 65536;

const std::vector<std::string> kModificationFilters = {"volume-id",
                                                       "modification-state",
                                                       "original-volume-type",
                                                       "target-volume-type",
                                                       "original-size",
                                                       "target-size",
                                                       "original-iops",
                                                       "target-iops",
                                                       "start-time",
                                                       "originalMultiAttachEnabled",
                                                       "targetMultiAttachEnabled"};

void WriteAttachmentFields(XmlWriter& x, const Volume& v) {
  x.Leaf("volumeId", v.id);
  x.Leaf("instanceId", v.instance_id);
  x.Leaf("device", v.device);
  x.Leaf("status", ToString(v.attach_state));
  x.Leaf("attachTime", Ec2Time(v.attached_at ? v.attached_at : v.updated_at));
}

// The fields CreateVolume returns at the top level and DescribeVolumes in each <item>.
void WriteVolumeFields(XmlWriter& x, const Volume& v) {
  x.Leaf("volumeId", v.id);
  x.Leaf("size", v.size_gib);
  x.Leaf("snapshotId", v.snapshot_id);
  x.Leaf("availabilityZone", v.zone);
  x.Leaf("status", ToString(v.state));
  x.Leaf("createTime", Ec2Time(v.created_at));
  x.Open("attachmentSet");
  if (!v.instance_id.empty()) {
    x.Open("item");
    WriteAttachmentFields(x, v);
    x.Leaf("deleteOnTermination", v.delete_on_termination);
    x.Close();
  }
  x.Close();
  x.Leaf("volumeType", v.volume_type);
  VolumeLimits limits = DeliveredLimits(v);
  if (limits.iops) x.Leaf("iops", limits.iops);
  if (v.volume_type == "gp3") x.Leaf("throughput", limits.throughput_mibps);
  x.Leaf("encrypted", false);
  x.Leaf("multiAttachEnabled", false);
  WriteTagSet(x, v.tags);
}

FilterFields FieldsOf(const Volume& v) {
  FilterFields f{{"status", {ToString(v.state)}},
                 {"volume-id", {v.id}},
                 {"volume-type", {v.volume_type}},
                 {"availability-zone", {v.zone}},
                 {"size", {std::to_string(v.size_gib)}},
                 {"snapshot-id", {v.snapshot_id}},
                 {"encrypted", {"false"}},
                 {"multi-attach-enabled", {"false"}},
                 {"create-time", {Ec2Time(v.created_at)}}};
  if (!v.instance_id.empty()) {
    f["attachment.instance-id"] = {v.instance_id};
    f["attachment.status"] = {ToString(v.attach_state)};
    f["attachment.device"] = {v.device};
    f["attachment.delete-on-termination"] = {v.delete_on_termination ? "true" : "false"};
  }
  return f;
}

Status RefuseEncryption(const Ec2Params& p) {
  STRATO_ASSIGN_OR_RETURN(auto encrypted, p.Bool("Encrypted"));
  if (encrypted.value_or(false)) {
    return BadRequest("Unsupported", "Encrypted volumes are not supported.");
  }
  STRATO_ASSIGN_OR_RETURN(auto multi, p.Bool("MultiAttachEnabled"));
  if (multi.value_or(false)) {
    return BadRequest("Unsupported", "Multi-Attach volumes are not supported.");
  }
  if (p.Find("KmsKeyId")) return BadRequest("Unsupported", "KmsKeyId is not supported.");
  return OkStatus();
}

Result<CreateVolumeInput> ParseCreate(const Ec2Params& p) {
  CreateVolumeInput in;
  STRATO_ASSIGN_OR_RETURN(in.size_gib, p.Int("Size", 1, kMaxSizeGib));
  if (auto type = p.Optional("VolumeType")) in.volume_type = *type;
  STRATO_ASSIGN_OR_RETURN(in.iops, p.Int("Iops", 1, 1000000));
  STRATO_ASSIGN_OR_RETURN(in.throughput_mibps, p.Int("Throughput", 1, 100000));
  in.snapshot_id = p.Optional("SnapshotId");
  in.zone = p.Optional("AvailabilityZone");
  STRATO_RETURN_IF_ERROR(RefuseEncryption(p));
  if (auto token = p.Optional("ClientToken"); token && token->size() > 64) {
    return InvalidParameter("ClientToken must be at most 64 characters.");
  }
  if (!in.size_gib && !in.snapshot_id) {
    return MissingParameter("The request must contain the parameter size or snapshotId.");
  }
  STRATO_ASSIGN_OR_RETURN(in.tags, TagsFor(p, "volume", "CreateVolume"));
  return in;
}

// The volumes a DescribeVolumes selects: the listed ids (each must exist) or a page (all
// pages without MaxResults) of the tenant's.
Result<ListPage<Volume>> SelectVolumes(const Ec2Deps& d, const Ec2Call& c,
                                       const VolumeFilter& pushed) {
  STRATO_ASSIGN_OR_RETURN(auto ids, c.params.List("VolumeId"));
  STRATO_ASSIGN_OR_RETURN(auto max, c.params.Int("MaxResults", 5, 1000));
  auto token = c.params.Optional("NextToken");
  if (ids.empty()) {
    return CollectPages<Volume>(
        [&](const ListInput& in) { return d.volumes->List(c.principal, pushed, in); }, max,
        token.value_or(""));
  }
  if (max || token) {
    return BadRequest("InvalidParameterCombination",
                      "The parameter volumeSet cannot be used with the parameter maxResults or "
                      "nextToken.");
  }
  ListPage<Volume> out;
  for (const auto& id : ids) {
    STRATO_ASSIGN_OR_RETURN(auto v, d.volumes->Get(c.principal, id));
    out.items.push_back(std::move(v));
  }
  return out;
}

// The filters the store can apply itself, when they name exactly one plain value.
VolumeFilter PushDown(const std::vector<Ec2Filter>& filters) {
  VolumeFilter f;
  auto plain = [](const Ec2Filter& e) {
    return e.values.size() == 1 && e.values[0].find_first_of("*?") == std::string::npos;
  };
  for (const auto& e : filters) {
    if (!plain(e)) continue;
    if (e.name == "status") {
      if (auto s = ParseVolumeState(e.values[0])) f.state = *s;
    } else if (e.name == "attachment.instance-id") {
      f.instance_id = e.values[0];
    } else if (e.name == "availability-zone") {
      f.zone = e.values[0];
    }
  }
  return f;
}

// DetachVolume's optional InstanceId/Device must name the current attachment.
Status CheckAttachment(const Volume& v, const Ec2Params& p) {
  auto instance = p.Optional("InstanceId");
  auto device = p.Optional("Device");
  // Not attached at all: the commands answer IncorrectState.
  if (v.instance_id.empty()) return OkStatus();
  if ((instance && *instance != v.instance_id) || (device && *device != v.device)) {
    return BadRequest("InvalidAttachment.NotFound", "The volume '" + v.id +
                                                        "' is not attached to " +
                                                        instance.value_or(v.instance_id) + " at " +
                                                        device.value_or(v.device) + ".");
  }
  return OkStatus();
}

// The fields of a VolumeModification: ModifyVolume's <volumeModification>, each <item> of
// DescribeVolumesModifications.
void WriteModificationFields(XmlWriter& x, const VolumeModification& m) {
  x.Leaf("volumeId", m.volume_id);
  x.Leaf("modificationState", ToString(m.state));
  if (!m.status_message.empty()) x.Leaf("statusMessage", m.status_message);
  x.Leaf("targetSize", m.target_size_gib);
  x.Leaf("targetIops", m.target_iops);
  x.Leaf("targetVolumeType", m.target_volume_type);
  x.Leaf("targetThroughput", m.target_throughput_mibps);
  x.Leaf("targetMultiAttachEnabled", false);
  x.Leaf("originalSize", m.original_size_gib);
  x.Leaf("originalIops", m.original_iops);
  x.Leaf("originalVolumeType", m.original_volume_type);
  x.Leaf("originalThroughput", m.original_throughput_mibps);
  x.Leaf("originalMultiAttachEnabled", false);
  x.Leaf("progress", m.progress);
  x.Leaf("startTime", Ec2Time(m.start_time));
  if (m.end_time) x.Leaf("endTime", Ec2Time(m.end_time));
}

FilterFields FieldsOf(const VolumeModification& m) {
  return {{"volume-id", {m.volume_id}},
          {"modification-state", {ToString(m.state)}},
          {"original-volume-type", {m.original_volume_type}},
          {"target-volume-type", {m.target_volume_type}},
          {"original-size", {std::to_string(m.original_size_gib)}},
          {"target-size", {std::to_string(m.target_size_gib)}},
          {"original-iops", {std::to_string(m.original_iops)}},
          {"target-iops", {std::to_string(m.target_iops)}},
          {"start-time", {Ec2Time(m.start_time)}},
          {"originalMultiAttachEnabled", {"false"}},
          {"targetMultiAttachEnabled", {"false"}}};
}

Status DescribeModifications(const Ec2Deps& d, const Ec2Call& c, XmlWriter& x) {
  STRATO_ASSIGN_OR_RETURN(auto filters, c.params.Filters());
  STRATO_RETURN_IF_ERROR(CheckFilterNames(filters, kModificationFilters));
  STRATO_ASSIGN_OR_RETURN(auto ids, c.params.List("VolumeId"));
  STRATO_ASSIGN_OR_RETURN(auto max, c.params.Int("MaxResults", 1, 500));
  auto token = c.params.Optional("NextToken");
  if (!ids.empty() && (max || token)) {
    return BadRequest("InvalidParameterCombination",
                      "The parameter volumeIds cannot be used with the parameter maxResults or "
                      "nextToken.");
  }
  ListPage<VolumeModification> sel;
  if (ids.empty()) {
    auto page = [&](const ListInput& in) {
      return d.volumes->ListModifications(c.principal, {}, in);
    };
    STRATO_ASSIGN_OR_RETURN(sel, CollectPages<VolumeModification>(page, max, token.value_or("")));
  } else {
    STRATO_ASSIGN_OR_RETURN(sel, d.volumes->ListModifications(c.principal, ids, {}));
  }
  x.Open("volumeModificationSet");
  for (const auto& m : sel.items) {
    if (!MatchesAll(filters, FieldsOf(m), {})) continue;
    x.Open("item");
    WriteModificationFields(x, m);
    x.Close();
  }
  x.Close();
  if (!sel.next_token.empty()) x.Leaf("nextToken", sel.next_token);
  return OkStatus();
}

}  // namespace

void RegisterVolumeActions(Ec2Api& api) {
  const Ec2Deps* d = &api.deps();
  api.Register(
      "CreateVolume",
      {"Size", "VolumeType", "Iops", "Throughput", "SnapshotId", "AvailabilityZone", "Encrypted",
       "KmsKeyId", "MultiAttachEnabled", "ClientToken", "TagSpecification.#.ResourceType",
       "TagSpecification.#.Tag.#.Key", "TagSpecification.#.Tag.#.Value"},
      [d](const Ec2Call& c, XmlWriter& x) {
        STRATO_ASSIGN_OR_RETURN(auto in, ParseCreate(c.params));
        STRATO_ASSIGN_OR_RETURN(auto v, d->volumes->Create(c.principal, in));
        WriteVolumeFields(x, v);
        return OkStatus();
      });

  api.Register("DescribeVolumes",
               {"VolumeId.#", "MaxResults", "NextToken", "Filter.#.Name", "Filter.#.Value.#"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 STRATO_ASSIGN_OR_RETURN(auto filters, c.params.Filters());
                 STRATO_RETURN_IF_ERROR(CheckFilterNames(filters, kVolumeFilters));
                 STRATO_ASSIGN_OR_RETURN(auto sel, SelectVolumes(*d, c, PushDown(filters)));
                 x.Open("volumeSet");
                 for (const auto& v : sel.items) {
                   if (!MatchesAll(filters, FieldsOf(v), v.tags)) continue;
                   x.Open("item");
                   WriteVolumeFields(x, v);
                   x.Close();
                 }
                 x.Close();
                 if (!sel.next_token.empty()) x.Leaf("nextToken", sel.next_token);
                 return OkStatus();
               });

  api.Register("AttachVolume", {"VolumeId", "InstanceId", "Device"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 STRATO_ASSIGN_OR_RETURN(auto id, c.params.Required("VolumeId"));
                 AttachVolumeInput in;
                 STRATO_ASSIGN_OR_RETURN(in.instance_id, c.params.Required("InstanceId"));
                 STRATO_ASSIGN_OR_RETURN(in.device, c.params.Required("Device"));
                 STRATO_ASSIGN_OR_RETURN(auto v, d->volumes->Attach(c.principal, id, in));
                 WriteAttachmentFields(x, v);
                 return OkStatus();
               });

  api.Register("DetachVolume", {"VolumeId", "InstanceId", "Device", "Force"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 STRATO_ASSIGN_OR_RETURN(auto id, c.params.Required("VolumeId"));
                 STRATO_ASSIGN_OR_RETURN(auto force, c.params.Bool("Force"));
                 STRATO_ASSIGN_OR_RETURN(auto current, d->volumes->Get(c.principal, id));
                 STRATO_RETURN_IF_ERROR(CheckAttachment(current, c.params));
                 STRATO_ASSIGN_OR_RETURN(
                     auto v, d->volumes->Detach(c.principal, id, force.value_or(false)));
                 WriteAttachmentFields(x, v);
                 return OkStatus();
               });

  api.Register("DeleteVolume", {"VolumeId"}, [d](const Ec2Call& c, XmlWriter& x) {
    STRATO_ASSIGN_OR_RETURN(auto id, c.params.Required("VolumeId"));
    STRATO_RETURN_IF_ERROR(d->volumes->Delete(c.principal, id).status());
    x.Leaf("return", true);
    return OkStatus();
  });

  api.Register("ModifyVolume",
               {"VolumeId", "Size", "VolumeType", "Iops", "Throughput", "MultiAttachEnabled"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 STRATO_ASSIGN_OR_RETURN(auto id, c.params.Required("VolumeId"));
                 ModifyVolumeInput in;
                 STRATO_ASSIGN_OR_RETURN(in.size_gib, c.params.Int("Size", 1, kMaxSizeGib));
                 in.volume_type = c.params.Optional("VolumeType");
                 STRATO_ASSIGN_OR_RETURN(in.iops, c.params.Int("Iops", 1, 1000000));
                 STRATO_ASSIGN_OR_RETURN(in.throughput_mibps,
                                         c.params.Int("Throughput", 1, 100000));
                 STRATO_RETURN_IF_ERROR(RefuseEncryption(c.params));
                 STRATO_ASSIGN_OR_RETURN(auto out, d->volumes->Modify(c.principal, id, in));
                 x.Open("volumeModification");
                 WriteModificationFields(x, out.modification);
                 x.Close();
                 return OkStatus();
               });

  api.Register("DescribeVolumesModifications",
               {"VolumeId.#", "MaxResults", "NextToken", "Filter.#.Name", "Filter.#.Value.#"},
               [d](const Ec2Call& c, XmlWriter& x) { return DescribeModifications(*d, c, x); });
}

}  // namespace strato::api::ec2
