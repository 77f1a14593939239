// Snapshot actions: CreateSnapshot, DescribeSnapshots, DeleteSnapshot over VolumeCommands.
#include <algorithm>

#include "api/ec2/ec2_api.h"
#include "api/ec2/ec2_paging.h"
#include "api/ec2/ec2_render.h"
#include "api/ec2/ec2_resource_filter.h"
#include "commands/volume_commands.h"

namespace strato::api::ec2 {
namespace {

const std::vector<std::string> kSnapshotFilters = {"status",      "volume-id",   "snapshot-id",
                                                   "owner-id",    "description", "progress",
                                                   "volume-size", "start-time",  "encrypted"};

std::string Progress(const Snapshot& s) {
  return std::to_string(s.state == SnapshotState::kCompleted ? 100 : s.progress) + "%";
}

// A snapshot being deleted is already gone for EC2, which has no "deleting" snapshot state.
bool Visible(const Snapshot& s) { return s.state != SnapshotState::kDeleting; }

void WriteSnapshotFields(XmlWriter& x, const Snapshot& s) {
  x.Leaf("snapshotId", s.id);
  x.Leaf("volumeId", s.volume_id);
  x.Leaf("status", ToString(s.state));
  if (!s.state_reason.empty()) x.Leaf("statusMessage", s.state_reason);
  x.Leaf("startTime", Ec2Time(s.created_at));
  x.Leaf("progress", Progress(s));
  x.Leaf("ownerId", s.tenant_id);
  x.Leaf("volumeSize", s.volume_size_gib);
  x.Leaf("description", s.description);
  x.Leaf("encrypted", false);
  x.Leaf("storageTier", "standard");
  WriteTagSet(x, s.tags);
}

FilterFields FieldsOf(const Snapshot& s) {
  return {{"status", {ToString(s.state)}},
          {"volume-id", {s.volume_id}},
          {"snapshot-id", {s.id}},
          {"owner-id", {s.tenant_id}},
          {"description", {s.description}},
          {"progress", {Progress(s)}},
          {"volume-size", {std::to_string(s.volume_size_gib)}},
          {"start-time", {Ec2Time(s.created_at)}},
          {"encrypted", {"false"}}};
}

// OwnerId.N / RestorableBy.N: snapshots are never shared, so only the caller's own
// ("self" or its account id) can match; any other owner selects nothing.
Result<bool> OwnersIncludeCaller(const Ec2Call& c) {
  STRATO_ASSIGN_OR_RETURN(auto owners, c.params.List("Owner"));
  STRATO_ASSIGN_OR_RETURN(auto restorable, c.params.List("RestorableBy"));
  auto includes = [&](const std::vector<std::string>& list) {
    return list.empty() || std::any_of(list.begin(), list.end(), [&](const std::string& o) {
             return o == "self" || o == c.principal.tenant_id;
           });
  };
  return includes(owners) && includes(restorable);
}

Result<ListPage<Snapshot>> SelectSnapshots(const Ec2Deps& d, const Ec2Call& c) {
  STRATO_ASSIGN_OR_RETURN(auto ids, c.params.List("SnapshotId"));
  STRATO_ASSIGN_OR_RETURN(auto max, c.params.Int("MaxResults", 5, 1000));
  auto token = c.params.Optional("NextToken");
  if (ids.empty()) {
    return CollectPages<Snapshot>(
        [&](const ListInput& in) { return d.volumes->ListSnapshots(c.principal, {}, in); }, max,
        token.value_or(""));
  }
  if (max || token) {
    return BadRequest("InvalidParameterCombination",
                      "The parameter snapshotSet cannot be used with the parameter maxResults "
                      "or nextToken.");
  }
  ListPage<Snapshot> out;
  for (const auto& id : ids) {
    STRATO_ASSIGN_OR_RETURN(auto s, d.volumes->GetSnapshot(c.principal, id));
    if (!Visible(s)) {
      return BadRequest("InvalidSnapshot.NotFound", "The snapshot '" + id + "' does not exist.");
    }
    out.items.push_back(std::move(s));
  }
  return out;
}

}  // namespace

void RegisterSnapshotActions(Ec2Api& api) {
  const Ec2Deps* d = &api.deps();
  api.Register("CreateSnapshot",
               {"VolumeId", "Description", "OutpostArn", "TagSpecification.#.ResourceType",
                "TagSpecification.#.Tag.#.Key", "TagSpecification.#.Tag.#.Value"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 CreateSnapshotInput in;
                 STRATO_ASSIGN_OR_RETURN(in.volume_id, c.params.Required("VolumeId"));
                 in.description = c.params.Optional("Description").value_or("");
                 if (c.params.Find("OutpostArn")) {
                   return BadRequest("Unsupported", "Outposts are not supported.");
                 }
                 STRATO_ASSIGN_OR_RETURN(in.tags, TagsFor(c.params, "snapshot", "CreateSnapshot"));
                 STRATO_ASSIGN_OR_RETURN(auto s, d->volumes->CreateSnapshot(c.principal, in));
                 WriteSnapshotFields(x, s);
                 return OkStatus();
               });

  api.Register("DescribeSnapshots",
               {"SnapshotId.#", "Owner.#", "RestorableBy.#", "MaxResults", "NextToken",
                "Filter.#.Name", "Filter.#.Value.#"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 STRATO_ASSIGN_OR_RETURN(auto filters, c.params.Filters());
                 STRATO_RETURN_IF_ERROR(CheckFilterNames(filters, kSnapshotFilters));
                 STRATO_ASSIGN_OR_RETURN(bool mine, OwnersIncludeCaller(c));
                 STRATO_ASSIGN_OR_RETURN(auto sel, SelectSnapshots(*d, c));
                 x.Open("snapshotSet");
                 for (const auto& s : sel.items) {
                   if (!mine || !Visible(s) || !MatchesAll(filters, FieldsOf(s), s.tags)) continue;
                   x.Open("item");
                   WriteSnapshotFields(x, s);
                   x.Close();
                 }
                 x.Close();
                 if (!sel.next_token.empty()) x.Leaf("nextToken", sel.next_token);
                 return OkStatus();
               });

  api.Register("DeleteSnapshot", {"SnapshotId"}, [d](const Ec2Call& c, XmlWriter& x) {
    STRATO_ASSIGN_OR_RETURN(auto id, c.params.Required("SnapshotId"));
    STRATO_ASSIGN_OR_RETURN(auto s, d->volumes->GetSnapshot(c.principal, id));
    // Deleting twice: the second call finds nothing, as in EC2.
    if (!Visible(s)) {
      return BadRequest("InvalidSnapshot.NotFound", "The snapshot '" + id + "' does not exist.");
    }
    STRATO_RETURN_IF_ERROR(d->volumes->DeleteSnapshot(c.principal, id).status());
    x.Leaf("return", true);
    return OkStatus();
  });
}

}  // namespace strato::api::ec2
