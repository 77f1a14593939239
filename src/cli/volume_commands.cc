// strato volume create|list|show|modify|attach|detach|delete; strato snapshot create|list|show|delete
#include <memory>

#include "cli/commands.h"

namespace strato::cli {
namespace {

const std::vector<Column>& VolumeColumns() {
  static const std::vector<Column> kColumns = {
      {"ID", "id"},     {"SIZE", "size"},   {"TYPE", "volume_type"}, {"IOPS", "iops"},
      {"STATE", "state"}, {"ZONE", "zone"}, {"SNAPSHOT", "snapshot_id"}};
  return kColumns;
}

const std::vector<Column>& SnapshotColumns() {
  static const std::vector<Column> kColumns = {{"ID", "id"},
                                               {"VOLUME", "volume_id"},
                                               {"SIZE", "volume_size"},
                                               {"STATE", "state"},
                                               {"PROGRESS", "progress"},
                                               {"DESCRIPTION", "description"}};
  return kColumns;
}

std::string VolumePath(const std::string& id) { return "/v1/volumes/" + ApiClient::Segment(id); }

struct CreateOptions {
  int64_t size = 0;
  std::string type;
  int64_t iops = 0;
  int64_t throughput = 0;
  std::string snapshot_id;
  std::string zone;
  std::vector<std::string> tags;
};

struct ModifyOptions {
  std::string id;
  int64_t size = 0;
  std::string type;
  int64_t iops = 0;
  int64_t throughput = 0;
};

struct AttachOptions {
  std::string id;
  std::string instance_id;
  std::string device;
  bool force = false;
};

void AddVolumeCreate(CLI::App& noun, Action& slot) {
  auto o = std::make_shared<CreateOptions>();
  CLI::App& verb = *noun.add_subcommand("create", "Create a volume (empty, or from a snapshot)");
  verb.add_option("--size", o->size, "Size in GiB");
  verb.add_option("--type", o->type, "gp2 (default), gp3, io1, st1, sc1, standard");
  verb.add_option("--iops", o->iops, "Provisioned IOPS (gp3, io1)");
  verb.add_option("--throughput", o->throughput, "Provisioned MiB/s (gp3)");
  verb.add_option("--snapshot-id", o->snapshot_id, "Create from this snapshot");
  verb.add_option("--zone", o->zone, "Availability zone");
  verb.add_option("--tag", o->tags, "KEY=VALUE (repeatable)");
  Select(verb, slot, [o](CommandContext& ctx) -> Status {
    Json body = Json::object();
    if (o->size) body["size"] = o->size;
    if (!o->type.empty()) body["volume_type"] = o->type;
    if (o->iops) body["iops"] = o->iops;
    if (o->throughput) body["throughput"] = o->throughput;
    if (!o->snapshot_id.empty()) body["snapshot_id"] = o->snapshot_id;
    if (!o->zone.empty()) body["zone"] = o->zone;
    if (!o->tags.empty()) {
      STRATO_ASSIGN_OR_RETURN(auto tags, ParseTagArgs(o->tags));
      body["tags"] = TagsObject(tags);
    }
    STRATO_ASSIGN_OR_RETURN(Json result, ctx.api.Post("/v1/volumes", body));
    PrintResult(ctx, result);
    return OkStatus();
  });
}

void AddVolumeModify(CLI::App& noun, Action& slot) {
  auto o = std::make_shared<ModifyOptions>();
  CLI::App& verb = *noun.add_subcommand("modify", "Grow a volume or change its type/IOPS");
  verb.add_option("ID", o->id, "Volume id")->required();
  verb.add_option("--size", o->size, "New size in GiB (grow only)");
  verb.add_option("--type", o->type, "New volume type");
  verb.add_option("--iops", o->iops, "Provisioned IOPS");
  verb.add_option("--throughput", o->throughput, "Provisioned MiB/s");
  Select(verb, slot, [o](CommandContext& ctx) -> Status {
    Json body = Json::object();
    if (o->size) body["size"] = o->size;
    if (!o->type.empty()) body["volume_type"] = o->type;
    if (o->iops) body["iops"] = o->iops;
    if (o->throughput) body["throughput"] = o->throughput;
    STRATO_ASSIGN_OR_RETURN(Json result, ctx.api.Post(VolumePath(o->id) + "/modify", body));
    PrintResult(ctx, result);
    return OkStatus();
  });
}

void AddVolumeAttachDetach(CLI::App& noun, Action& slot) {
  auto a = std::make_shared<AttachOptions>();
  CLI::App& attach = *noun.add_subcommand("attach", "Attach a volume to an instance");
  attach.add_option("ID", a->id, "Volume id")->required();
  attach.add_option("--instance-id", a->instance_id, "Instance id")->required();
  attach.add_option("--device", a->device, "Device name, e.g. /dev/sdf")->required();
  Select(attach, slot, [a](CommandContext& ctx) -> Status {
    STRATO_ASSIGN_OR_RETURN(
        Json result, ctx.api.Post(VolumePath(a->id) + "/attach",
                                  Json{{"instance_id", a->instance_id}, {"device", a->device}}));
    PrintResult(ctx, result);
    return OkStatus();
  });
  auto d = std::make_shared<AttachOptions>();
  CLI::App& detach = *noun.add_subcommand("detach", "Detach a volume");
  detach.add_option("ID", d->id, "Volume id")->required();
  detach.add_flag("--force", d->force, "Detach even if the guest does not let go");
  Select(detach, slot, [d](CommandContext& ctx) -> Status {
    STRATO_ASSIGN_OR_RETURN(Json result,
                            ctx.api.Post(VolumePath(d->id) + "/detach", Json{{"force", d->force}}));
    PrintResult(ctx, result);
    return OkStatus();
  });
}

void AddSnapshotCommands(CLI::App& app, Action& slot) {
  CLI::App& noun = *app.add_subcommand("snapshot", "Point-in-time copies of volumes");
  noun.require_subcommand(1);
  auto o = std::make_shared<std::pair<std::string, std::string>>();
  CLI::App& create = *noun.add_subcommand("create", "Snapshot a volume (attached or not)");
  create.add_option("--volume-id", o->first, "Volume id")->required();
  create.add_option("--description", o->second, "Description");
  Select(create, slot, [o](CommandContext& ctx) -> Status {
    STRATO_ASSIGN_OR_RETURN(Json result,
                            ctx.api.Post("/v1/snapshots", Json{{"volume_id", o->first},
                                                               {"description", o->second}}));
    PrintResult(ctx, result);
    return OkStatus();
  });
  AddListVerb(noun, slot, "List snapshots", "/v1/snapshots", "snapshots", SnapshotColumns());
  AddOneArgVerb(noun, slot, "show", "Show one snapshot", "ID",
                [](ApiClient& api, const std::string& id) {
                  return api.Get("/v1/snapshots/" + ApiClient::Segment(id));
                });
  AddOneArgVerb(noun, slot, "delete", "Delete a snapshot", "ID",
                [](ApiClient& api, const std::string& id) {
                  return api.Delete("/v1/snapshots/" + ApiClient::Segment(id));
                });
}

}  // namespace

void AddVolumeCommands(CLI::App& app, Action& slot) {
  CLI::App& noun = *app.add_subcommand("volume", "Block storage volumes");
  noun.require_subcommand(1);
  AddVolumeCreate(noun, slot);
  AddListVerb(noun, slot, "List volumes", "/v1/volumes", "volumes", VolumeColumns());
  AddOneArgVerb(noun, slot, "show", "Show one volume", "ID",
                [](ApiClient& api, const std::string& id) { return api.Get(VolumePath(id)); });
  AddVolumeModify(noun, slot);
  AddVolumeAttachDetach(noun, slot);
  AddOneArgVerb(noun, slot, "delete", "Delete a volume (detached)", "ID",
                [](ApiClient& api, const std::string& id) { return api.Delete(VolumePath(id)); });
  AddSnapshotCommands(app, slot);
}

}  // namespace strato::cli
