#pragma once
// JSON renderings of the resource model for the native API (docs/api.md).

#include <nlohmann/json.hpp>

#include "commands/identity_commands.h"
#include "core/model.h"

namespace strato::api {

nlohmann::json ToJson(const Instance& i);
nlohmann::json ToJson(const Host& h);
nlohmann::json ToJson(const Tenant& t);
nlohmann::json ToJson(const User& u);
nlohmann::json ToJson(const AccessKey& k);
nlohmann::json ToJson(const NewAccessKey& k);
nlohmann::json ToJson(const Image& i);
nlohmann::json ToJson(const KeyPair& k);
nlohmann::json ToJson(const Vpc& v);
nlohmann::json ToJson(const Subnet& s);
nlohmann::json ToJson(const NetworkInterface& n);
std::string IsoTime(TimeMs ms);

}  // namespace strato::api
