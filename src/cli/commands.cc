#include "cli/commands.h"

#include <memory>

#include "cli/exit_codes.h"

namespace strato::cli {

void Select(CLI::App& verb, Action& slot, Action action) {
  verb.callback([&slot, action = std::move(action)] { slot = action; });
}

void AddOneArgVerb(CLI::App& noun, Action& slot, const std::string& name, const std::string& help,
                   const std::string& arg_name, OneArgCall call) {
  auto arg = std::make_shared<std::string>();  // shared with the action, which outlives parse
  CLI::App& verb = *noun.add_subcommand(name, help);
  verb.add_option(arg_name, *arg, arg_name)->required();
  Select(verb, slot, [arg, call = std::move(call)](CommandContext& ctx) -> Status {
    STRATO_ASSIGN_OR_RETURN(Json result, call(ctx.api, *arg));
    PrintResult(ctx, result);
    return OkStatus();
  });
}

void AddListVerb(CLI::App& noun, Action& slot, const std::string& help, const std::string& path,
                 const std::string& collection, const std::vector<Column>& columns) {
  auto page = std::make_shared<PageOptions>();
  CLI::App& verb = *noun.add_subcommand("list", help);
  AddPageOptions(verb, *page);
  Select(verb, slot, [page, path, collection, &columns](CommandContext& ctx) {
    return PrintListing(ctx, path, {}, collection, columns, *page);
  });
}

void AddPageOptions(CLI::App& verb, PageOptions& page) {
  verb.add_option("--page-size", page.page_size, "Results per page (1-1000)")
      ->check(CLI::Range(1, 1000));
  verb.add_option("--next-token", page.next_token, "Continue from this page token");
  verb.add_flag("--all", page.all, "Follow next_token and print every page");
}

Status PrintListing(CommandContext& ctx, const std::string& path, QueryParams query,
                    const std::string& collection, const std::vector<Column>& columns,
                    const PageOptions& page) {
  if (page.page_size > 0) query.emplace_back("page_size", std::to_string(page.page_size));
  if (!page.next_token.empty()) query.emplace_back("next_token", page.next_token);
  STRATO_ASSIGN_OR_RETURN(Json result, ctx.api.List(path, std::move(query), collection, page.all));
  ctx.printer.PrintList(result, collection, columns);
  const std::string token = StringField(result, "next_token");
  if (!token.empty() && ctx.printer.format() == OutputFormat::kTable) {
    ctx.err << "(more results: add --all, or --next-token " << token << ")\n";
  }
  return OkStatus();
}

void PrintResult(CommandContext& ctx, const Json& result) {
  if (!result.is_null()) ctx.printer.PrintObject(result);
}

Result<TagList> ParseTagArgs(const std::vector<std::string>& args) {
  Result<TagList> tags = ParseTags(args);
  if (!tags.ok()) return AsUsageError(tags.status());
  return tags;
}

Json TagsObject(const TagList& tags) {
  Json object = Json::object();
  for (const auto& [key, value] : tags) object[key] = value;
  return object;
}

}  // namespace strato::cli
