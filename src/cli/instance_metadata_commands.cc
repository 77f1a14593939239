// strato instance run's launch-context flags and strato instance metadata-options.
#include "cli/instance_metadata_commands.h"

#include <fstream>
#include <iterator>

#include "cli/exit_codes.h"
#include "common/base64.h"

namespace strato::cli {
namespace {

void AddOptionFlags(CLI::App& verb, LaunchContextOptions& o) {
  verb.add_option("--http-tokens", o.http_tokens, "IMDSv2 tokens: optional or required")
      ->check(CLI::IsMember({"optional", "required"}));
  verb.add_option("--http-put-response-hop-limit", o.hop_limit,
                  "IP TTL of metadata responses (1-64)")
      ->check(CLI::Range(1, 64));
  verb.add_option("--http-endpoint", o.http_endpoint, "Metadata service: enabled or disabled")
      ->check(CLI::IsMember({"enabled", "disabled"}));
}

void AddOptionFields(const LaunchContextOptions& o, Json& body) {
  if (!o.http_tokens.empty()) body["http_tokens"] = o.http_tokens;
  if (o.hop_limit > 0) body["http_put_response_hop_limit"] = o.hop_limit;
  if (!o.http_endpoint.empty()) body["http_endpoint"] = o.http_endpoint;
}

}  // namespace

void AddLaunchContextFlags(CLI::App& verb, LaunchContextOptions& o) {
  verb.add_option("--key-name", o.key_name, "Key pair installed for root in the guest");
  verb.add_option("--user-data", o.user_data_file,
                  "File given to the guest as user-data (at most 16 KiB; run at first boot "
                  "if it starts with #!)");
  AddOptionFlags(verb, o);
}

Status AddLaunchContext(const LaunchContextOptions& o, Json& body) {
  if (!o.key_name.empty()) body["key_name"] = o.key_name;
  if (!o.user_data_file.empty()) {
    std::ifstream in(o.user_data_file, std::ios::binary);
    if (!in) return UsageError("cannot read user-data file " + o.user_data_file);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (data.size() > 16 * 1024)
      return UsageError("user-data file " + o.user_data_file + " is over 16 KiB");
    body["user_data"] = Base64Encode(data);
  }
  AddOptionFields(o, body);
  return OkStatus();
}

void AddMetadataOptionsVerb(CLI::App& noun, Action& slot) {
  auto id = std::make_shared<std::string>();
  auto o = std::make_shared<LaunchContextOptions>();
  CLI::App& verb = *noun.add_subcommand(
      "metadata-options", "Show an instance's metadata options, or change them (live)");
  verb.add_option("id", *id, "Instance ID")->required();
  AddOptionFlags(verb, *o);
  Select(verb, slot, [id, o](CommandContext& ctx) -> Status {
    std::string path = "/v1/instances/" + ApiClient::Segment(*id) + "/metadata-options";
    Json body = Json::object();
    AddOptionFields(*o, body);
    Result<Json> out = body.empty() ? ctx.api.Get(path) : ctx.api.Post(path, body);
    if (!out.ok()) return out.status();
    ctx.printer.PrintObject(*out);
    return OkStatus();
  });
}

}  // namespace strato::cli
