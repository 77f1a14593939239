// strato tenant|user|access-key
#include <memory>

#include "cli/commands.h"

namespace strato::cli {
namespace {

void AddTenant(CLI::App& app, Action& slot) {
  CLI::App& noun = *app.add_subcommand("tenant", "Tenants (cloud admin)");
  noun.require_subcommand(1);
  AddOneArgVerb(noun, slot, "create", "Create a tenant", "NAME",
                [](ApiClient& api, const std::string& name) {
                  return api.Post("/v1/tenants", Json{{"name", name}});
                });
  AddListVerb(noun, slot, "List tenants", "/v1/tenants", "tenants", TenantColumns());
  AddOneArgVerb(noun, slot, "show", "Show one tenant", "ID",
                [](ApiClient& api, const std::string& id) {
                  return api.Get("/v1/tenants/" + ApiClient::Segment(id));
                });
}

struct UserCreateOptions {
  std::string name;
  std::string tenant_id;
  std::string role;
};

void AddUser(CLI::App& app, Action& slot) {
  CLI::App& noun = *app.add_subcommand("user", "Users of a tenant");
  noun.require_subcommand(1);
  auto o = std::make_shared<UserCreateOptions>();
  CLI::App& create = *noun.add_subcommand("create", "Create a user");
  create.add_option("NAME", o->name, "User name")->required();
  create.add_option("--tenant-id", o->tenant_id, "Tenant (admin only; default: your own)");
  create.add_option("--role", o->role, "Role")->check(CLI::IsMember({"member", "admin"}));
  Select(create, slot, [o](CommandContext& ctx) -> Status {
    Json body = {{"name", o->name}};
    if (!o->tenant_id.empty()) body["tenant_id"] = o->tenant_id;
    if (!o->role.empty()) body["role"] = o->role;
    STRATO_ASSIGN_OR_RETURN(Json user, ctx.api.Post("/v1/users", body));
    PrintResult(ctx, user);
    return OkStatus();
  });
  AddListVerb(noun, slot, "List users", "/v1/users", "users", UserColumns());
  AddOneArgVerb(noun, slot, "show", "Show one user", "ID",
                [](ApiClient& api, const std::string& id) {
                  return api.Get("/v1/users/" + ApiClient::Segment(id));
                });
}

void AddAccessKey(CLI::App& app, Action& slot) {
  CLI::App& noun = *app.add_subcommand("access-key", "API access keys");
  noun.require_subcommand(1);
  auto user_id = std::make_shared<std::string>();
  CLI::App& create = *noun.add_subcommand("create", "Create an access key for a user");
  create.add_option("USER_ID", *user_id, "User ID")->required();
  Select(create, slot, [user_id](CommandContext& ctx) -> Status {
    STRATO_ASSIGN_OR_RETURN(
        Json key, ctx.api.Post("/v1/users/" + ApiClient::Segment(*user_id) + "/access-keys"));
    PrintResult(ctx, key);
    ctx.err << "note: the secret access key is shown only this once\n";
    return OkStatus();
  });
  AddListVerb(noun, slot, "List access keys", "/v1/access-keys", "access_keys", AccessKeyColumns());
  AddOneArgVerb(noun, slot, "delete", "Delete an access key", "AKID",
                [](ApiClient& api, const std::string& id) {
                  return api.Delete("/v1/access-keys/" + ApiClient::Segment(id));
                });
}

}  // namespace

void AddIdentityCommands(CLI::App& app, Action& slot) {
  AddTenant(app, slot);
  AddUser(app, slot);
  AddAccessKey(app, slot);
}

}  // namespace strato::cli
