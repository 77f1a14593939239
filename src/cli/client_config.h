#pragma once
// Resolution of the CLI's endpoint, region and credentials from flags, environment and the
// INI profile file.
//
// Each setting independently takes the first of:
//   endpoint:    --endpoint,  STRATO_ENDPOINT, profile `endpoint_url`, http://127.0.0.1:8773
//   region:      --region,    STRATO_REGION,   profile `region`,       strato-1
//   credentials: AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY, profile `aws_access_key_id` +
//                `aws_secret_access_key`; there is no default
// The profile is --profile, else STRATO_PROFILE, else "default"; the file is
// --credentials-file, else STRATO_CREDENTIALS_FILE, else $HOME/.strato/credentials.
// Thread-safety: pure given its inputs; the sources are only called during the call.

#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace strato::cli {

inline constexpr char kDefaultEndpoint[] = "http://127.0.0.1:8773";
inline constexpr char kDefaultRegion[] = "strato-1";
inline constexpr char kDefaultProfile[] = "default";

// Values given on the command line; nullopt when the flag was not given.
struct ConfigFlags {
  std::optional<std::string> endpoint;
  std::optional<std::string> region;
  std::optional<std::string> profile;
  std::optional<std::string> credentials_file;
};

struct ConfigSources {
  // Returns nullopt for unset variables; an empty value counts as unset.
  std::function<std::optional<std::string>(const std::string& name)> getenv;
  // Returns nullopt when the file does not exist, an error when it exists but cannot be read.
  std::function<Result<std::optional<std::string>>(const std::string& path)> read_file;
};

struct ClientConfig {
  std::string endpoint;  // scheme://host[:port], no trailing '/'
  std::string region;
  std::string access_key_id;
  std::string secret_access_key;
  std::string profile;
};

// InvalidParameterValue with a sentence naming the culprit when: an explicitly chosen file or
// profile does not exist, the file is malformed, only one of the two credentials is set (in
// the environment or in the profile), no credentials are found anywhere, or the endpoint is
// not an http(s) URL.
Result<ClientConfig> ResolveClientConfig(const ConfigFlags& flags, const ConfigSources& sources);

// The sources of a real process: ::getenv and the file system.
ConfigSources SystemConfigSources();

}  // namespace strato::cli
