#pragma once
// The noun-verb command tree of the strato CLI (CLI11 subcommands).
//
// Each Add*Commands registers nouns on the root app. Verbs only collect their flags during the
// parse; the verb the parse selects stores its Action in `slot`, and the caller runs it once
// configuration and transport exist. Actions turn bad flag values into UsageError (exit 2) and
// return API errors unchanged. Option storage is owned by the registered callbacks, so the App
// must outlive nothing but itself.

#include <CLI/CLI.hpp>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "cli/api_client.h"
#include "cli/instance_waiter.h"
#include "cli/printer.h"
#include "cli/tag_spec.h"

namespace strato::cli {

using FileReader = std::function<Result<std::optional<std::string>>(const std::string& path)>;

// What an action may use; nothing here is owned.
struct CommandContext {
  ApiClient& api;
  Printer& printer;
  InstanceWaiter& waiter;
  std::ostream& err;  // notes and per-item errors; results go to the printer
  const FileReader& read_file;
};

using Action = std::function<Status(CommandContext&)>;

void AddInstanceCommands(CLI::App& app, Action& slot);
void AddHostCommands(CLI::App& app, Action& slot);
void AddIdentityCommands(CLI::App& app, Action& slot);  // tenant, user, access-key
void AddCatalogCommands(CLI::App& app, Action& slot);   // type, region, tag, image, key-pair
void AddNetworkCommands(CLI::App& app, Action& slot);   // vpc, subnet
void AddVolumeCommands(CLI::App& app, Action& slot);    // volume, snapshot
// security-group, address, instance set-security-groups (after AddInstanceCommands)
void AddSecurityGroupCommands(CLI::App& app, Action& slot);

// --- helpers shared by the command files ---

// Makes `verb` store `action` in `slot` when the parse selects it.
void Select(CLI::App& verb, Action& slot, Action action);

struct PageOptions {
  int page_size = 0;  // 0: the server's default
  std::string next_token;
  bool all = false;
};
// --page-size, --next-token, --all.
void AddPageOptions(CLI::App& verb, PageOptions& page);

// GETs a list route (all pages with --all) and prints it; in table output, a note on `err`
// says when more pages exist.
Status PrintListing(CommandContext& ctx, const std::string& path, QueryParams query,
                    const std::string& collection, const std::vector<Column>& columns,
                    const PageOptions& page);

// Prints an object answer; an empty (204) answer prints nothing.
void PrintResult(CommandContext& ctx, const Json& result);

// A verb with one required positional argument (`strato tenant show ID`) doing one call and
// printing its answer. `columns` must outlive the App (the column sets in printer.h do).
using OneArgCall = std::function<Result<Json>(ApiClient& api, const std::string& arg)>;
void AddOneArgVerb(CLI::App& noun, Action& slot, const std::string& name, const std::string& help,
                   const std::string& arg_name, OneArgCall call);
// `list` with page options over one list route.
void AddListVerb(CLI::App& noun, Action& slot, const std::string& help, const std::string& path,
                 const std::string& collection, const std::vector<Column>& columns);

// ParseTags as a usage error.
Result<TagList> ParseTagArgs(const std::vector<std::string>& args);
Json TagsObject(const TagList& tags);

}  // namespace strato::cli
