#pragma once
// JSON renderings of volumes and snapshots for the native API (docs/api.md).

#include <nlohmann/json.hpp>

#include "core/volume_model.h"

namespace strato::api {

nlohmann::json ToJson(const Volume& v);
nlohmann::json ToJson(const Snapshot& s);
nlohmann::json ToJson(const VolumeModification& m);

}  // namespace strato::api
