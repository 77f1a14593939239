// strato instance run|list|show|stop|start|reboot|terminate|console
#include <memory>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/instance_metadata_commands.h"
#include "cli/volume_spec.h"

namespace strato::cli {
namespace {

struct RunOptions {
  std::string image_id;
  std::string type;
  int count = 1;
  std::string name;
  std::vector<std::string> tags;
  std::string zone;
  std::string placement;
  std::string subnet_id;
  std::string private_ip;
  std::vector<std::string> security_group_ids;
  LaunchContextOptions launch;
  std::string root_device_type;
  bool keep_root = false;  // delete_on_termination: false
  std::vector<std::string> volumes;  // DEVICE:ITEM[:ITEM…] (volume_spec.h)
  bool wait = false;
};

struct ListOptions {
  std::string state;
  std::string type;
  std::string host_id;
  std::string zone;
  std::vector<std::string> tags;
  PageOptions page;
};

struct IdsOptions {
  std::vector<std::string> ids;
  bool force = false;
  bool wait = false;
};

std::string InstancePath(const std::string& id) {
  return "/v1/instances/" + ApiClient::Segment(id);
}

std::vector<std::string> IdsOf(const Json& instances) {
  std::vector<std::string> ids;
  if (instances.is_array()) {
    for (const Json& instance : instances) ids.push_back(StringField(instance, "id"));
  }
  return ids;
}

// Waits when asked; on failure, names every instance concerned so none is lost track of.
Result<Json> MaybeWait(CommandContext& ctx, bool wait, const std::vector<std::string>& ids,
                       const std::string& target, Json instances) {
  if (!wait || ids.empty()) return instances;
  Result<std::vector<Json>> final_states = ctx.waiter.WaitFor(ids, target);
  if (!final_states.ok()) {
    std::string list;
    for (const std::string& id : ids) list += " " + id;
    ctx.err << "note: the request was accepted for:" << list << "\n";
    return final_states.status();
  }
  return Json(std::move(*final_states));
}

Status RunInstances(CommandContext& ctx, const RunOptions& o) {
  Json body = {{"image_id", o.image_id}, {"instance_type", o.type}, {"count", o.count}};
  if (!o.name.empty()) body["name"] = o.name;
  if (!o.tags.empty()) {
    STRATO_ASSIGN_OR_RETURN(TagList tags, ParseTagArgs(o.tags));
    body["tags"] = TagsObject(tags);
  }
  if (!o.zone.empty()) body["zone"] = o.zone;
  if (!o.placement.empty()) body["placement_policy"] = o.placement;
  if (!o.subnet_id.empty()) body["subnet_id"] = o.subnet_id;
  if (!o.private_ip.empty()) body["private_ip"] = o.private_ip;
  if (!o.security_group_ids.empty()) body["security_group_ids"] = o.security_group_ids;
  STRATO_RETURN_IF_ERROR(AddLaunchContext(o.launch, body));
  if (!o.root_device_type.empty()) body["root_device_type"] = o.root_device_type;
  if (o.keep_root) body["delete_on_termination"] = false;
  if (!o.volumes.empty()) {
    Result<Json> volumes = ParseVolumeSpecs(o.volumes);
    if (!volumes.ok()) return AsUsageError(volumes.status());
    body["block_devices"] = std::move(*volumes);
  }
  STRATO_ASSIGN_OR_RETURN(Json result, ctx.api.Post("/v1/instances", body));
  Json launched =
      result.is_object() && result.contains("instances") ? result["instances"] : Json::array();
  STRATO_ASSIGN_OR_RETURN(Json instances,
                          MaybeWait(ctx, o.wait, IdsOf(launched), "running", launched));
  ctx.printer.PrintList(Json{{"instances", instances}}, "instances", InstanceColumns());
  return OkStatus();
}

Status ListInstances(CommandContext& ctx, const ListOptions& o) {
  QueryParams query;
  if (!o.state.empty()) query.emplace_back("state", o.state);
  if (!o.type.empty()) query.emplace_back("instance_type", o.type);
  if (!o.host_id.empty()) query.emplace_back("host_id", o.host_id);
  if (!o.zone.empty()) query.emplace_back("zone", o.zone);
  STRATO_ASSIGN_OR_RETURN(TagList tags, ParseTagArgs(o.tags));
  for (const auto& [key, value] : tags) query.emplace_back("tag:" + key, value);
  return PrintListing(ctx, "/v1/instances", std::move(query), "instances", InstanceColumns(),
                      o.page);
}

// POSTs `verb` to every id. With several ids, each failure is reported as it happens and the
// others still run; the returned status then summarises.
Status ActOnInstances(CommandContext& ctx, const IdsOptions& o, const std::string& verb,
                      const Json& body, const std::string& wait_target) {
  Json done = Json::array();
  Status first_error;
  size_t failures = 0;
  for (const std::string& id : o.ids) {
    Result<Json> result = ctx.api.Post(InstancePath(id) + "/" + verb, body);
    if (result.ok()) {
      done.push_back(std::move(*result));
      continue;
    }
    if (o.ids.size() == 1 || ExitCodeFor(result.status()) == kExitConnection) {
      return result.status();
    }
    ctx.err << "error: " << id << ": " << result.status().code() << ": "
            << result.status().message() << "\n";
    if (failures++ == 0) first_error = result.status();
  }
  Result<Json> instances =
      MaybeWait(ctx, o.wait && !wait_target.empty(), IdsOf(done), wait_target, done);
  if (!instances.ok()) return instances.status();  // per-id errors are already on ctx.err
  ctx.printer.PrintList(Json{{"instances", *instances}}, "instances", InstanceColumns());
  if (failures > 0) {
    return Status(first_error.http_status(), first_error.code(),
                  std::to_string(failures) + " of " + std::to_string(o.ids.size()) +
                      " instances refused '" + verb + "'");
  }
  return OkStatus();
}

Status ShowConsole(CommandContext& ctx, const std::string& id) {
  STRATO_ASSIGN_OR_RETURN(Json result, ctx.api.Get(InstancePath(id) + "/console"));
  if (ctx.printer.format() == OutputFormat::kJson) {
    ctx.printer.PrintObject(result);
  } else {
    ctx.printer.PrintRaw(StringField(result, "output"));
  }
  return OkStatus();
}

void AddRun(CLI::App& noun, Action& slot) {
  auto o = std::make_shared<RunOptions>();
  CLI::App& verb = *noun.add_subcommand("run", "Launch instances");
  verb.add_option("--image-id", o->image_id, "Image to boot (ami-...)")->required();
  verb.add_option("--type", o->type, "Instance type, e.g. t3.micro")->required();
  verb.add_option("--count", o->count, "How many to launch (1-1000)")->check(CLI::Range(1, 1000));
  verb.add_option("--name", o->name, "Instance name");
  verb.add_option("--tag", o->tags, "Tag as KEY=VALUE (repeatable)");
  verb.add_option("--zone", o->zone, "Availability zone");
  verb.add_option("--subnet-id", o->subnet_id, "Subnet (default: your default subnet)");
  verb.add_option("--private-ip", o->private_ip, "A free address of the subnet (with --count 1)");
  verb.add_option("--security-group-id", o->security_group_ids,
                  "Security group (sg-..., repeatable, at most 5; default: the VPC's default)");
  verb.add_option("--placement", o->placement, "Placement policy")
      ->check(CLI::IsMember({"pack", "spread", "balance"}));
  AddLaunchContextFlags(verb, o->launch);
  verb.add_option("--root-device-type", o->root_device_type,
                  "Root device of an image with a disk: ebs (a volume, default) or instance-store")
      ->check(CLI::IsMember({"ebs", "instance-store"}));
  verb.add_flag("--keep-root-volume", o->keep_root,
                "Keep the root volume when the instance terminates (delete_on_termination false)");
  verb.add_option("--volume", o->volumes,
                  "Map a volume, made with each instance: DEVICE:SIZE[:TYPE][:iops=N]"
                  "[:throughput=N][:keep] or DEVICE:snap-...[:…] (repeatable), e.g. "
                  "/dev/sdf:2:gp3; keep: not deleted at terminate");
  verb.add_flag("--wait", o->wait, "Wait until every instance is running");
  Select(verb, slot, [o](CommandContext& ctx) { return RunInstances(ctx, *o); });
}

void AddList(CLI::App& noun, Action& slot) {
  auto o = std::make_shared<ListOptions>();
  CLI::App& verb = *noun.add_subcommand("list", "List instances");
  verb.add_option("--state", o->state, "Only instances in this state")
      ->check(CLI::IsMember(
          {"pending", "running", "stopping", "stopped", "shutting-down", "terminated"}));
  verb.add_option("--type", o->type, "Only this instance type");
  verb.add_option("--host-id", o->host_id, "Only instances on this host");
  verb.add_option("--zone", o->zone, "Only this zone");
  verb.add_option("--tag", o->tags, "Only instances with tag KEY=VALUE (repeatable)");
  AddPageOptions(verb, o->page);
  Select(verb, slot, [o](CommandContext& ctx) { return ListInstances(ctx, *o); });
}

void AddIdsVerb(CLI::App& noun, Action& slot, const std::string& name, const std::string& help,
                const std::string& wait_target) {
  auto o = std::make_shared<IdsOptions>();
  CLI::App& verb = *noun.add_subcommand(name, help);
  verb.add_option("ids", o->ids, "Instance IDs")->required();
  if (name == "stop") verb.add_flag("--force", o->force, "Power off without a clean shutdown");
  if (!wait_target.empty()) {
    verb.add_flag("--wait", o->wait, "Wait until the instances are " + wait_target);
  }
  Select(verb, slot, [o, name, wait_target](CommandContext& ctx) {
    const Json body = name == "stop" ? Json{{"force", o->force}} : Json::object();
    return ActOnInstances(ctx, *o, name, body, wait_target);
  });
}

}  // namespace

void AddInstanceCommands(CLI::App& app, Action& slot) {
  CLI::App& noun = *app.add_subcommand("instance", "Virtual machines");
  noun.require_subcommand(1);
  AddRun(noun, slot);
  AddList(noun, slot);

  auto show_id = std::make_shared<std::string>();
  CLI::App& show = *noun.add_subcommand("show", "Show one instance");
  show.add_option("id", *show_id, "Instance ID")->required();
  Select(show, slot, [show_id](CommandContext& ctx) -> Status {
    STRATO_ASSIGN_OR_RETURN(Json instance, ctx.api.Get(InstancePath(*show_id)));
    ctx.printer.PrintObject(instance);
    return OkStatus();
  });

  AddIdsVerb(noun, slot, "stop", "Stop instances", "stopped");
  AddIdsVerb(noun, slot, "start", "Start stopped instances", "running");
  AddIdsVerb(noun, slot, "reboot", "Reboot running instances", "");
  AddIdsVerb(noun, slot, "terminate", "Terminate instances", "terminated");
  AddMetadataOptionsVerb(noun, slot);

  auto console_id = std::make_shared<std::string>();
  CLI::App& console = *noun.add_subcommand("console", "Print an instance's console output");
  console.add_option("id", *console_id, "Instance ID")->required();
  Select(console, slot,
         [console_id](CommandContext& ctx) { return ShowConsole(ctx, *console_id); });
}

}  // namespace strato::cli
