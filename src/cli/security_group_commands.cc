// strato security-group|address, strato instance set-security-groups
#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace strato::cli {
namespace {

const std::vector<Column>& GroupColumns() {
  static const std::vector<Column> kColumns = {{"ID", "id"},
                                               {"VPC", "vpc_id"},
                                               {"NAME", "name"},
                                               {"DEFAULT", "is_default"},
                                               {"DESCRIPTION", "description"}};
  return kColumns;
}

const std::vector<Column>& AddressColumns() {
  static const std::vector<Column> kColumns = {{"ID", "id"},
                                               {"PUBLIC IP", "public_ip"},
                                               {"INSTANCE", "instance_id"},
                                               {"ASSOCIATION", "association_id"}};
  return kColumns;
}

struct RuleOptions {
  std::string protocol;
  std::string port;  // "N" or "N-M"
  std::string cidr;
  std::string source_group_id;
  std::string description;
};

// One rule object from the flags; a malformed --port is a usage error.
Result<Json> RuleBody(const RuleOptions& o) {
  Json rule = {{"protocol", o.protocol}};
  if (!o.port.empty()) {
    auto dash = o.port.find('-', 1);
    try {
      size_t used = 0;
      int from = std::stoi(o.port.substr(0, dash), &used);
      int to = dash == std::string::npos ? from : std::stoi(o.port.substr(dash + 1));
      rule["from_port"] = from;
      rule["to_port"] = to;
    } catch (const std::exception&) {
      return UsageError("--port must be a port or a range like 8000-8080, not '" + o.port + "'");
    }
  }
  if (!o.cidr.empty()) rule["cidr"] = o.cidr;
  if (!o.source_group_id.empty()) rule["source_group_id"] = o.source_group_id;
  if (!o.description.empty()) rule["description"] = o.description;
  return rule;
}

void AddRuleVerb(CLI::App& noun, Action& slot, const std::string& verb_name,
                 const std::string& help) {
  auto id = std::make_shared<std::string>();
  auto o = std::make_shared<RuleOptions>();
  CLI::App& verb = *noun.add_subcommand(verb_name, help);
  verb.add_option("ID", *id, "Security group (sg-...)")->required();
  verb.add_option("--protocol", o->protocol, "tcp, udp, icmp or all")->required();
  verb.add_option("--port", o->port, "Port or range (tcp/udp), e.g. 22 or 8000-8080");
  verb.add_option("--cidr", o->cidr, "Peer CIDR, e.g. 0.0.0.0/0");
  verb.add_option("--source-group-id", o->source_group_id, "Peer security group (sg-...)");
  verb.add_option("--description", o->description, "Why the rule exists");
  Select(verb, slot, [id, o, verb_name](CommandContext& ctx) -> Status {
    STRATO_ASSIGN_OR_RETURN(Json rule, RuleBody(*o));
    STRATO_ASSIGN_OR_RETURN(
        Json group, ctx.api.Post("/v1/security-groups/" + ApiClient::Segment(*id) + "/" + verb_name,
                                 Json{{"rules", Json::array({rule})}}));
    PrintResult(ctx, group);
    return OkStatus();
  });
}

struct GroupCreateOptions {
  std::string name;
  std::string description;
  std::string vpc_id;
};

void AddSecurityGroup(CLI::App& app, Action& slot) {
  CLI::App& noun = *app.add_subcommand("security-group", "Stateful firewalls of instances");
  noun.require_subcommand(1);
  auto o = std::make_shared<GroupCreateOptions>();
  CLI::App& create = *noun.add_subcommand("create", "Create a security group");
  create.add_option("--name", o->name, "Unique in its VPC")->required();
  create.add_option("--description", o->description, "What it is for");
  create.add_option("--vpc-id", o->vpc_id, "VPC (default: your default VPC)");
  Select(create, slot, [o](CommandContext& ctx) -> Status {
    Json body = {{"name", o->name}, {"description", o->description}};
    if (!o->vpc_id.empty()) body["vpc_id"] = o->vpc_id;
    STRATO_ASSIGN_OR_RETURN(Json group, ctx.api.Post("/v1/security-groups", body));
    PrintResult(ctx, group);
    return OkStatus();
  });
  AddListVerb(noun, slot, "List your security groups", "/v1/security-groups", "security_groups",
              GroupColumns());
  AddOneArgVerb(noun, slot, "show", "Show one security group and its rules", "ID",
                [](ApiClient& api, const std::string& id) {
                  return api.Get("/v1/security-groups/" + ApiClient::Segment(id));
                });
  AddOneArgVerb(noun, slot, "delete", "Delete a security group no instance uses", "ID",
                [](ApiClient& api, const std::string& id) {
                  return api.Delete("/v1/security-groups/" + ApiClient::Segment(id));
                });
  AddRuleVerb(noun, slot, "authorize-ingress", "Allow inbound connections");
  AddRuleVerb(noun, slot, "revoke-ingress", "Remove an inbound rule");
  AddRuleVerb(noun, slot, "authorize-egress", "Allow outbound connections");
  AddRuleVerb(noun, slot, "revoke-egress", "Remove an outbound rule");
}

void AddAddress(CLI::App& app, Action& slot) {
  CLI::App& noun = *app.add_subcommand("address", "Elastic (public) IP addresses");
  noun.require_subcommand(1);
  CLI::App& allocate = *noun.add_subcommand("allocate", "Allocate a public address");
  Select(allocate, slot, [](CommandContext& ctx) -> Status {
    STRATO_ASSIGN_OR_RETURN(Json address, ctx.api.Post("/v1/addresses"));
    PrintResult(ctx, address);
    return OkStatus();
  });
  AddListVerb(noun, slot, "List your public addresses", "/v1/addresses", "addresses",
              AddressColumns());
  AddOneArgVerb(noun, slot, "show", "Show one address", "ID",
                [](ApiClient& api, const std::string& id) {
                  return api.Get("/v1/addresses/" + ApiClient::Segment(id));
                });
  AddOneArgVerb(noun, slot, "release", "Release an address that is not associated", "ID",
                [](ApiClient& api, const std::string& id) {
                  return api.Delete("/v1/addresses/" + ApiClient::Segment(id));
                });
  AddOneArgVerb(noun, slot, "disassociate", "Detach an address from its instance", "ID",
                [](ApiClient& api, const std::string& id) {
                  return api.Post("/v1/addresses/" + ApiClient::Segment(id) + "/disassociate");
                });
  auto id = std::make_shared<std::string>();
  auto instance = std::make_shared<std::string>();
  auto reassociate = std::make_shared<bool>(false);
  CLI::App& associate = *noun.add_subcommand("associate", "Map an address to an instance");
  associate.add_option("ID", *id, "Allocation (eipalloc-...)")->required();
  associate.add_option("--instance-id", *instance, "Instance (i-...)")->required();
  associate.add_flag("--allow-reassociation", *reassociate, "Move it from another instance");
  Select(associate, slot, [id, instance, reassociate](CommandContext& ctx) -> Status {
    STRATO_ASSIGN_OR_RETURN(
        Json address,
        ctx.api.Post("/v1/addresses/" + ApiClient::Segment(*id) + "/associate",
                     Json{{"instance_id", *instance}, {"allow_reassociation", *reassociate}}));
    PrintResult(ctx, address);
    return OkStatus();
  });
}

void AddSetSecurityGroups(CLI::App& app, Action& slot) {
  CLI::App* instance = app.get_subcommand("instance");
  auto id = std::make_shared<std::string>();
  auto groups = std::make_shared<std::vector<std::string>>();
  CLI::App& verb =
      *instance->add_subcommand("set-security-groups", "Replace a running instance's groups");
  verb.add_option("ID", *id, "Instance (i-...)")->required();
  verb.add_option("--group-id", *groups, "Security group (sg-..., repeatable, 1 to 5)")->required();
  Select(verb, slot, [id, groups](CommandContext& ctx) -> Status {
    STRATO_ASSIGN_OR_RETURN(
        Json out, ctx.api.Post("/v1/instances/" + ApiClient::Segment(*id) + "/security-groups",
                               Json{{"security_group_ids", *groups}}));
    PrintResult(ctx, out);
    return OkStatus();
  });
}

}  // namespace

void AddSecurityGroupCommands(CLI::App& app, Action& slot) {
  AddSecurityGroup(app, slot);
  AddAddress(app, slot);
  AddSetSecurityGroups(app, slot);
}

}  // namespace strato::cli
