// strato vpc|subnet
#include "cli/commands.h"

namespace strato::cli {
namespace {

void AddVpc(CLI::App& app, Action& slot) {
  CLI::App& noun = *app.add_subcommand("vpc", "Virtual private clouds");
  noun.require_subcommand(1);
  auto cidr = std::make_shared<std::string>();
  CLI::App& create = *noun.add_subcommand("create", "Create a VPC");
  create.add_option("--cidr", *cidr, "IPv4 CIDR block, /16 to /28, e.g. 10.0.0.0/16")->required();
  Select(create, slot, [cidr](CommandContext& ctx) -> Status {
    STRATO_ASSIGN_OR_RETURN(Json vpc, ctx.api.Post("/v1/vpcs", Json{{"cidr", *cidr}}));
    PrintResult(ctx, vpc);
    return OkStatus();
  });
  AddListVerb(noun, slot, "List your VPCs", "/v1/vpcs", "vpcs", VpcColumns());
  AddOneArgVerb(noun, slot, "show", "Show one VPC", "ID",
                [](ApiClient& api, const std::string& id) {
                  return api.Get("/v1/vpcs/" + ApiClient::Segment(id));
                });
  AddOneArgVerb(noun, slot, "delete", "Delete a VPC (its subnets first)", "ID",
                [](ApiClient& api, const std::string& id) {
                  return api.Delete("/v1/vpcs/" + ApiClient::Segment(id));
                });
}

struct SubnetCreateOptions {
  std::string vpc_id;
  std::string cidr;
};

void AddSubnet(CLI::App& app, Action& slot) {
  CLI::App& noun = *app.add_subcommand("subnet", "Subnets of your VPCs");
  noun.require_subcommand(1);
  auto o = std::make_shared<SubnetCreateOptions>();
  CLI::App& create = *noun.add_subcommand("create", "Create a subnet");
  create.add_option("--vpc-id", o->vpc_id, "VPC (vpc-...)")->required();
  create.add_option("--cidr", o->cidr, "Inside the VPC's CIDR, /16 to /28")->required();
  Select(create, slot, [o](CommandContext& ctx) -> Status {
    STRATO_ASSIGN_OR_RETURN(
        Json subnet, ctx.api.Post("/v1/subnets", Json{{"vpc_id", o->vpc_id}, {"cidr", o->cidr}}));
    PrintResult(ctx, subnet);
    return OkStatus();
  });
  AddListVerb(noun, slot, "List your subnets", "/v1/subnets", "subnets", SubnetColumns());
  AddOneArgVerb(noun, slot, "show", "Show one subnet", "ID",
                [](ApiClient& api, const std::string& id) {
                  return api.Get("/v1/subnets/" + ApiClient::Segment(id));
                });
  AddOneArgVerb(noun, slot, "delete", "Delete a subnet with no instances", "ID",
                [](ApiClient& api, const std::string& id) {
                  return api.Delete("/v1/subnets/" + ApiClient::Segment(id));
                });
}

}  // namespace

void AddNetworkCommands(CLI::App& app, Action& slot) {
  AddVpc(app, slot);
  AddSubnet(app, slot);
}

}  // namespace strato::cli
