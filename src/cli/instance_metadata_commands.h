#pragma once
// The launch-context flags of `strato instance run` (--key-name, --user-data FILE,
// --http-tokens, --http-put-response-hop-limit, --http-endpoint) and the verb
// `strato instance metadata-options ID [flags]` (show, or change with any flag).

#include <memory>
#include <string>

#include "cli/commands.h"

namespace strato::cli {

struct LaunchContextOptions {
  std::string key_name;
  std::string user_data_file;
  std::string http_tokens;
  int hop_limit = 0;  // 0 = not given
  std::string http_endpoint;
};

void AddLaunchContextFlags(CLI::App& verb, LaunchContextOptions& o);
// Adds the given flags to a run request body; UsageError if the user-data file cannot be
// read or is over 16 KiB.
Status AddLaunchContext(const LaunchContextOptions& o, Json& body);

void AddMetadataOptionsVerb(CLI::App& noun, Action& slot);

}  // namespace strato::cli
