// strato type|region|tag|image|key-pair
#include <cctype>
#include <memory>
#include <string_view>

#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace strato::cli {
namespace {

void AddTypeAndRegion(CLI::App& app, Action& slot) {
  CLI::App& type = *app.add_subcommand("type", "Instance types");
  type.require_subcommand(1);
  AddListVerb(type, slot, "List instance types", "/v1/instance-types", "instance_types",
              InstanceTypeColumns());

  CLI::App& region = *app.add_subcommand("region", "The cloud's region");
  region.require_subcommand(1);
  CLI::App& show = *region.add_subcommand("show", "Show the region and its zones");
  Select(show, slot, [](CommandContext& ctx) -> Status {
    STRATO_ASSIGN_OR_RETURN(Json result, ctx.api.Get("/v1/regions"));
    if (ctx.printer.format() == OutputFormat::kJson) {
      ctx.printer.PrintObject(result);
    } else {
      ctx.printer.PrintList(Json{{"regions", Json::array({result})}}, "regions", RegionColumns());
    }
    return OkStatus();
  });
}

struct TagOptions {
  std::vector<std::string> resource_ids;
  std::vector<std::string> tags;
  std::vector<std::string> keys;
};

void AddTag(CLI::App& app, Action& slot) {
  CLI::App& noun = *app.add_subcommand("tag", "Tags on any resource");
  noun.require_subcommand(1);

  auto a = std::make_shared<TagOptions>();
  CLI::App& add = *noun.add_subcommand("add", "Add or overwrite tags");
  add.add_option("RESOURCE_ID", a->resource_ids, "Resources to tag")->required();
  add.add_option("--tag", a->tags, "KEY=VALUE (repeatable)")->required();
  Select(add, slot, [a](CommandContext& ctx) -> Status {
    STRATO_ASSIGN_OR_RETURN(TagList tags, ParseTagArgs(a->tags));
    STRATO_ASSIGN_OR_RETURN(Json result,
                            ctx.api.Put("/v1/tags", Json{{"resource_ids", a->resource_ids},
                                                         {"tags", TagsObject(tags)}}));
    PrintResult(ctx, result);
    return OkStatus();
  });

  auto r = std::make_shared<TagOptions>();
  CLI::App& remove = *noun.add_subcommand("remove", "Remove tags by key");
  remove.add_option("RESOURCE_ID", r->resource_ids, "Resources to untag")->required();
  remove.add_option("--key", r->keys, "Tag key (repeatable)")->required();
  Select(remove, slot, [r](CommandContext& ctx) -> Status {
    STRATO_ASSIGN_OR_RETURN(
        Json result,
        ctx.api.Delete("/v1/tags", Json{{"resource_ids", r->resource_ids}, {"keys", r->keys}}));
    PrintResult(ctx, result);
    return OkStatus();
  });

  auto id = std::make_shared<std::string>();
  CLI::App& list = *noun.add_subcommand("list", "List a resource's tags");
  list.add_option("RESOURCE_ID", *id, "Resource ID")->required();
  Select(list, slot, [id](CommandContext& ctx) {
    return PrintListing(ctx, "/v1/tags", {{"resource_id", *id}}, "tags", TagColumns(), {});
  });
}

struct ImageCreateOptions {
  std::string name;
  std::string description;
  bool is_public = false;
};

struct ImageUploadOptions {
  std::string file;
  std::string name;
  std::string description;
};

struct ImageShareOptions {
  std::string image_id;
  std::vector<std::string> tenants;
  std::string visibility;  // set-public: "true" | "false"; set-description: the text
};

std::string LaunchPermissionPath(const std::string& image_id) {
  return "/v1/images/" + ApiClient::Segment(image_id) + "/launch-permission";
}

// share / unshare / set-public / permissions: the image's launch permissions; and
// set-description, the other thing its owner may change.
void AddImageSharing(CLI::App& noun, Action& slot) {
  for (const char* verb : {"share", "unshare"}) {
    const bool adding = std::string_view(verb) == "share";
    auto o = std::make_shared<ImageShareOptions>();
    CLI::App& cmd = *noun.add_subcommand(
        verb, adding ? "Let other tenants launch one of your images"
                     : "Take back other tenants' permission to launch one of your images");
    cmd.add_option("IMAGE", o->image_id, "Image ID")->required();
    cmd.add_option("--tenant", o->tenants, "Tenant ID (repeatable)")->required();
    Select(cmd, slot, [o, adding](CommandContext& ctx) -> Status {
      STRATO_ASSIGN_OR_RETURN(Json result, ctx.api.Patch(LaunchPermissionPath(o->image_id),
                                                         Json{{adding ? "add" : "remove",
                                                               o->tenants}}));
      PrintResult(ctx, result);
      return OkStatus();
    });
  }
  auto o = std::make_shared<ImageShareOptions>();
  CLI::App& set_public = *noun.add_subcommand(
      "set-public", "Make one of your images public (launchable by every tenant) or private");
  set_public.add_option("IMAGE", o->image_id, "Image ID")->required();
  set_public.add_option("PUBLIC", o->visibility, "true or false")
      ->required()
      ->check(CLI::IsMember({"true", "false"}));
  Select(set_public, slot, [o](CommandContext& ctx) -> Status {
    STRATO_ASSIGN_OR_RETURN(Json result, ctx.api.Patch(LaunchPermissionPath(o->image_id),
                                                       Json{{"public", o->visibility == "true"}}));
    PrintResult(ctx, result);
    return OkStatus();
  });
  auto d = std::make_shared<ImageShareOptions>();
  CLI::App& set_description =
      *noun.add_subcommand("set-description", "Change the description of one of your images");
  set_description.add_option("IMAGE", d->image_id, "Image ID")->required();
  set_description.add_option("DESCRIPTION", d->visibility, "At most 255 characters")->required();
  Select(set_description, slot, [d](CommandContext& ctx) -> Status {
    STRATO_ASSIGN_OR_RETURN(Json result,
                            ctx.api.Patch("/v1/images/" + ApiClient::Segment(d->image_id),
                                          Json{{"description", d->visibility}}));
    PrintResult(ctx, result);
    return OkStatus();
  });
  AddOneArgVerb(noun, slot, "permissions", "Show who may launch one of your images", "IMAGE",
                [](ApiClient& api, const std::string& image_id) {
                  return api.Get(LaunchPermissionPath(image_id));
                });
}

void AddImage(CLI::App& app, Action& slot) {
  CLI::App& noun = *app.add_subcommand("image", "Machine images");
  noun.require_subcommand(1);
  AddListVerb(noun, slot, "List images", "/v1/images", "images", ImageColumns());
  AddOneArgVerb(noun, slot, "show", "Show one image", "ID",
                [](ApiClient& api, const std::string& image_id) {
                  return api.Get("/v1/images/" + ApiClient::Segment(image_id));
                });
  auto o = std::make_shared<ImageCreateOptions>();
  CLI::App& create = *noun.add_subcommand("create", "Register an image record");
  create.add_option("--name", o->name, "Image name")->required();
  create.add_option("--description", o->description, "Description");
  create.add_flag("--public", o->is_public, "Visible to every tenant (cloud admin only)");
  Select(create, slot, [o](CommandContext& ctx) -> Status {
    Json body = {{"name", o->name}};
    if (!o->description.empty()) body["description"] = o->description;
    if (o->is_public) body["public"] = true;
    STRATO_ASSIGN_OR_RETURN(Json image, ctx.api.Post("/v1/images", body));
    PrintResult(ctx, image);
    return OkStatus();
  });
  auto up = std::make_shared<ImageUploadOptions>();
  CLI::App& upload = *noun.add_subcommand(
      "upload", "Upload a disk image (raw, qcow2, or bzip2/gzip-compressed raw)");
  upload.add_option("FILE", up->file, "Disk image file")->required()->check(CLI::ExistingFile);
  upload.add_option("--name", up->name, "Image name")->required();
  upload.add_option("--description", up->description, "Description");
  Select(upload, slot, [up](CommandContext& ctx) -> Status {
    QueryParams q = {{"name", up->name}};
    if (!up->description.empty()) q.emplace_back("description", up->description);
    STRATO_ASSIGN_OR_RETURN(Json image, ctx.api.PostFile("/v1/images", q, up->file));
    PrintResult(ctx, image);
    return OkStatus();
  });
  AddOneArgVerb(noun, slot, "delete", "Deregister one of your images (its disk goes once "
                "nothing depends on it)", "ID",
                [](ApiClient& api, const std::string& image_id) {
                  return api.Delete("/v1/images/" + ApiClient::Segment(image_id));
                });
  AddImageSharing(noun, slot);
}

struct KeyImportOptions {
  std::string name;
  std::string public_key_file;
};

Result<std::string> ReadPublicKey(CommandContext& ctx, const std::string& path) {
  Result<std::optional<std::string>> text = ctx.read_file(path);
  if (!text.ok()) return AsUsageError(text.status());
  if (!text->has_value()) return UsageError("public key file " + path + " does not exist");
  std::string key = std::move(**text);
  while (!key.empty() && std::isspace(static_cast<unsigned char>(key.back()))) key.pop_back();
  if (key.empty()) return UsageError("public key file " + path + " is empty");
  return key;
}

void AddKeyPair(CLI::App& app, Action& slot) {
  CLI::App& noun = *app.add_subcommand("key-pair", "SSH key pairs");
  noun.require_subcommand(1);
  auto o = std::make_shared<KeyImportOptions>();
  CLI::App& import = *noun.add_subcommand("import", "Import an SSH public key");
  import.add_option("--name", o->name, "Key pair name")->required();
  import.add_option("--public-key-file", o->public_key_file, "e.g. ~/.ssh/id_ed25519.pub")
      ->required();
  Select(import, slot, [o](CommandContext& ctx) -> Status {
    STRATO_ASSIGN_OR_RETURN(std::string key, ReadPublicKey(ctx, o->public_key_file));
    STRATO_ASSIGN_OR_RETURN(
        Json pair, ctx.api.Post("/v1/key-pairs", Json{{"name", o->name}, {"public_key", key}}));
    PrintResult(ctx, pair);
    return OkStatus();
  });
  AddListVerb(noun, slot, "List key pairs", "/v1/key-pairs", "key_pairs", KeyPairColumns());
  AddOneArgVerb(noun, slot, "show", "Show one key pair", "NAME",
                [](ApiClient& api, const std::string& name) {
                  return api.Get("/v1/key-pairs/" + ApiClient::Segment(name));
                });
  AddOneArgVerb(noun, slot, "delete", "Delete a key pair", "NAME",
                [](ApiClient& api, const std::string& name) {
                  return api.Delete("/v1/key-pairs/" + ApiClient::Segment(name));
                });
}

}  // namespace

void AddCatalogCommands(CLI::App& app, Action& slot) {
  AddTypeAndRegion(app, slot);
  AddTag(app, slot);
  AddImage(app, slot);
  AddKeyPair(app, slot);
}

}  // namespace strato::cli
