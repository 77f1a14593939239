#include "controller/metadata_push.h"

#include <nlohmann/json.hpp>

namespace strato {

Result<InstanceMetadata> LoadInstanceMetadata(ReadTxn& t, const Instance& i,
                                              const std::string& region) {
  STRATO_ASSIGN_OR_RETURN(auto c, t.GetInstanceContext(Scope::System(), i.id));
  return BuildInstanceMetadata(i, c, region);
}

std::string EncodeMetadataPush(const std::vector<InstanceMetadata>& upserts, bool replace) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& m : upserts) list.push_back(InstanceMetadataToJson(m));
  return nlohmann::json{{"type", "metadata"}, {"upsert", std::move(list)}, {"replace", replace}}
      .dump();
}

}  // namespace strato
