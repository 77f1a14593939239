#include "cli/client_config.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "cli/ini_file.h"

namespace strato::cli {
namespace {

// A setting's value and where it came from, for error messages.
struct Chosen {
  std::string value;
  bool explicit_choice = false;
};

std::optional<std::string> Env(const ConfigSources& sources, const std::string& name) {
  std::optional<std::string> v = sources.getenv(name);
  if (v && v->empty()) return std::nullopt;
  return v;
}

Chosen Pick(const std::optional<std::string>& flag, std::optional<std::string> env,
            std::string fallback) {
  if (flag) return {*flag, true};
  if (env) return {*env, true};
  return {std::move(fallback), false};
}

std::optional<std::string> Lookup(const IniSection* section, const std::string& key) {
  if (section == nullptr) return std::nullopt;
  auto it = section->find(key);
  if (it == section->end() || it->second.empty()) return std::nullopt;
  return it->second;
}

Result<IniFile> LoadFile(const Chosen& path, const ConfigSources& sources) {
  if (path.value.empty()) return IniFile{};  // no HOME: nothing to read
  STRATO_ASSIGN_OR_RETURN(std::optional<std::string> text, sources.read_file(path.value));
  if (!text) {
    if (path.explicit_choice) {
      return InvalidParameter("credentials file " + path.value + " does not exist");
    }
    return IniFile{};
  }
  return ParseIni(*text, path.value);
}

Status ResolveCredentials(const ConfigSources& sources, const IniSection* section,
                          const std::string& profile, const std::string& file,
                          ClientConfig& config) {
  const auto env_id = Env(sources, "AWS_ACCESS_KEY_ID");
  const auto env_secret = Env(sources, "AWS_SECRET_ACCESS_KEY");
  if (env_id && env_secret) {
    config.access_key_id = *env_id;
    config.secret_access_key = *env_secret;
    return OkStatus();
  }
  if (env_id || env_secret) {
    return InvalidParameter(std::string(env_id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY") +
                            " is set but " +
                            (env_id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID") + " is not");
  }
  if (section == nullptr) {
    return InvalidParameter(
        "no credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or add a [" + profile +
        "] profile with aws_access_key_id and aws_secret_access_key to " +
        (file.empty() ? std::string("~/.strato/credentials") : file));
  }
  const auto id = Lookup(section, "aws_access_key_id");
  const auto secret = Lookup(section, "aws_secret_access_key");
  if (!id || !secret) {
    return InvalidParameter("profile '" + profile + "' in " + file + " has no " +
                            (id ? "aws_secret_access_key" : "aws_access_key_id"));
  }
  config.access_key_id = *id;
  config.secret_access_key = *secret;
  return OkStatus();
}

Status NormalizeEndpoint(std::string& endpoint) {
  while (!endpoint.empty() && endpoint.back() == '/') endpoint.pop_back();
  const bool http = endpoint.rfind("http://", 0) == 0 && endpoint.size() > 7;
  const bool https = endpoint.rfind("https://", 0) == 0 && endpoint.size() > 8;
  if (!http && !https) {
    return InvalidParameter("endpoint '" + endpoint +
                            "' is not an http:// or https:// URL (e.g. http://127.0.0.1:8773)");
  }
  return OkStatus();
}

}  // namespace

Result<ClientConfig> ResolveClientConfig(const ConfigFlags& flags, const ConfigSources& sources) {
  const std::optional<std::string> home = Env(sources, "HOME");
  const Chosen file = Pick(flags.credentials_file, Env(sources, "STRATO_CREDENTIALS_FILE"),
                           home ? *home + "/.strato/credentials" : "");
  const Chosen profile = Pick(flags.profile, Env(sources, "STRATO_PROFILE"), kDefaultProfile);
  STRATO_ASSIGN_OR_RETURN(IniFile ini, LoadFile(file, sources));

  const IniSection* section = nullptr;
  if (auto it = ini.find(profile.value); it != ini.end()) section = &it->second;
  if (section == nullptr && profile.explicit_choice) {
    return InvalidParameter(
        "profile '" + profile.value + "' not found in " +
        (file.value.empty() ? std::string("(no credentials file)") : file.value));
  }

  ClientConfig config;
  config.profile = profile.value;
  config.endpoint = Pick(flags.endpoint, Env(sources, "STRATO_ENDPOINT"),
                         Lookup(section, "endpoint_url").value_or(kDefaultEndpoint))
                        .value;
  config.region = Pick(flags.region, Env(sources, "STRATO_REGION"),
                       Lookup(section, "region").value_or(kDefaultRegion))
                      .value;
  STRATO_RETURN_IF_ERROR(NormalizeEndpoint(config.endpoint));
  // The region is spliced into curl's "aws:amz:<region>:strato" parameter.
  if (config.region.empty() || config.region.find(':') != std::string::npos) {
    return InvalidParameter("region '" + config.region + "' is empty or contains ':'");
  }
  STRATO_RETURN_IF_ERROR(ResolveCredentials(sources, section, profile.value, file.value, config));
  return config;
}

ConfigSources SystemConfigSources() {
  ConfigSources sources;
  sources.getenv = [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
  sources.read_file = [](const std::string& path) -> Result<std::optional<std::string>> {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      if (errno == ENOENT) return std::optional<std::string>();
      return InvalidParameter("cannot read credentials file " + path + ": " + std::strerror(errno));
    }
    std::ostringstream text;
    text << in.rdbuf();
    return std::optional<std::string>(text.str());
  };
  return sources;
}

}  // namespace strato::cli
