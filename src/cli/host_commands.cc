// strato host add|add-sim|list|show|enable|disable (cloud admin only on the server side)
#include <memory>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/memory_size.h"

namespace strato::cli {
namespace {

struct AddOptions {
  std::string name;
  int vcpus = 0;
  std::string memory;
  std::string zone;
  double cpu_ratio = 0;
  std::string driver = "sim";
};

struct AddSimOptions {
  int count = 0;
  int vcpus = 0;
  std::string memory;
  std::string zone;
  std::string name_prefix;
};

struct ListOptions {
  std::string zone;
  PageOptions page;
};

std::string HostPath(const std::string& id) { return "/v1/hosts/" + ApiClient::Segment(id); }

Result<uint64_t> MemoryFlag(const std::string& text) {
  Result<uint64_t> mib = ParseMemoryMib(text);
  if (!mib.ok()) return AsUsageError(mib.status());
  return mib;
}

Status AddHost(CommandContext& ctx, const AddOptions& o) {
  STRATO_ASSIGN_OR_RETURN(uint64_t memory_mib, MemoryFlag(o.memory));
  Json body = {
      {"name", o.name}, {"driver", o.driver}, {"vcpus", o.vcpus}, {"memory_mib", memory_mib}};
  if (!o.zone.empty()) body["zone"] = o.zone;
  if (o.cpu_ratio > 0) body["cpu_ratio"] = o.cpu_ratio;
  STRATO_ASSIGN_OR_RETURN(Json host, ctx.api.Post("/v1/hosts", body));
  PrintResult(ctx, host);
  return OkStatus();
}

Status AddSimHosts(CommandContext& ctx, const AddSimOptions& o) {
  STRATO_ASSIGN_OR_RETURN(uint64_t memory_mib, MemoryFlag(o.memory));
  Json body = {{"count", o.count}, {"vcpus", o.vcpus}, {"memory_mib", memory_mib}};
  if (!o.zone.empty()) body["zone"] = o.zone;
  if (!o.name_prefix.empty()) body["name_prefix"] = o.name_prefix;
  STRATO_ASSIGN_OR_RETURN(Json result, ctx.api.Post("/v1/hosts/sim", body));
  ctx.printer.PrintList(result, "hosts", HostIdColumns());
  return OkStatus();
}

void AddHostVerbs(CLI::App& noun, Action& slot) {
  auto o = std::make_shared<AddOptions>();
  CLI::App& add = *noun.add_subcommand("add", "Register a host");
  add.add_option("--name", o->name, "Host name")->required();
  add.add_option("--vcpus", o->vcpus, "Physical vCPUs")->required()->check(CLI::PositiveNumber);
  add.add_option("--memory", o->memory, "Memory, e.g. 16GiB (plain number = MiB)")->required();
  add.add_option("--zone", o->zone, "Availability zone");
  add.add_option("--cpu-ratio", o->cpu_ratio, "vCPU overcommit ratio")->check(CLI::PositiveNumber);
  add.add_option("--driver", o->driver, "Hypervisor driver")
      ->capture_default_str()
      ->check(CLI::IsMember({"sim", "qemu"}));
  Select(add, slot, [o](CommandContext& ctx) { return AddHost(ctx, *o); });

  auto s = std::make_shared<AddSimOptions>();
  CLI::App& sim = *noun.add_subcommand("add-sim", "Register many simulated hosts at once");
  sim.add_option("--count", s->count, "How many hosts")->required()->check(CLI::PositiveNumber);
  sim.add_option("--vcpus", s->vcpus, "vCPUs per host")->required()->check(CLI::PositiveNumber);
  sim.add_option("--memory", s->memory, "Memory per host, e.g. 256GiB")->required();
  sim.add_option("--zone", s->zone, "Availability zone");
  sim.add_option("--name-prefix", s->name_prefix, "Prefix of the generated host names");
  Select(sim, slot, [s](CommandContext& ctx) { return AddSimHosts(ctx, *s); });

  auto l = std::make_shared<ListOptions>();
  CLI::App& list = *noun.add_subcommand("list", "List hosts");
  list.add_option("--zone", l->zone, "Only this zone");
  AddPageOptions(list, l->page);
  Select(list, slot, [l](CommandContext& ctx) {
    QueryParams query;
    if (!l->zone.empty()) query.emplace_back("zone", l->zone);
    return PrintListing(ctx, "/v1/hosts", std::move(query), "hosts", HostColumns(), l->page);
  });
}

// show (GET), enable and disable (POST) all take one host id and answer with the host.
void AddHostIdVerb(CLI::App& noun, Action& slot, const std::string& name, const std::string& help) {
  auto id = std::make_shared<std::string>();
  CLI::App& verb = *noun.add_subcommand(name, help);
  verb.add_option("id", *id, "Host ID")->required();
  Select(verb, slot, [id, name](CommandContext& ctx) -> Status {
    Result<Json> host =
        name == "show" ? ctx.api.Get(HostPath(*id)) : ctx.api.Post(HostPath(*id) + "/" + name);
    if (!host.ok()) return host.status();
    PrintResult(ctx, *host);
    return OkStatus();
  });
}

}  // namespace

void AddHostCommands(CLI::App& app, Action& slot) {
  CLI::App& noun = *app.add_subcommand("host", "Hypervisor hosts (cloud admin)");
  noun.require_subcommand(1);
  AddHostVerbs(noun, slot);
  AddHostIdVerb(noun, slot, "show", "Show one host");
  AddHostIdVerb(noun, slot, "enable", "Allow placing new instances on a host");
  AddHostIdVerb(noun, slot, "disable", "Maintenance: place nothing new on a host");
}

}  // namespace strato::cli
