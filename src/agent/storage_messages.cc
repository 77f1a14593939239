#include "agent/storage_messages.h"

#include <nlohmann/json.hpp>

namespace strato {

using nlohmann::json;

std::string EncodeStorageOp(const StorageOp& op) {
  json j{{"type", op.type}, {"blob_id", op.blob_id}};
  if (op.type == "create" || op.type == "grow") j["size_bytes"] = op.size_bytes;
  if (op.type == "create") j["backing_id"] = op.backing_id;
  if (op.type == "reconcile") j["known"] = op.known;
  if (!op.source_path.empty()) j["source_path"] = op.source_path;
  return j.dump();
}

Result<StorageOp> DecodeStorageOp(const std::string& text) {
  try {
    json j = json::parse(text);
    StorageOp op;
    op.type = j.at("type").get<std::string>();
    op.blob_id = j.value("blob_id", "");
    op.size_bytes = j.value("size_bytes", int64_t{0});
    op.backing_id = j.value("backing_id", "");
    if (j.contains("known")) op.known = j["known"].get<std::set<std::string>>();
    op.source_path = j.value("source_path", "");
    if (op.type != "create" && op.type != "grow" && op.type != "delete" &&
        op.type != "import" && op.type != "reconcile") {
      return InvalidParameter("unknown storage op '" + op.type + "'");
    }
    return op;
  } catch (const std::exception& e) {
    return InvalidParameter(std::string("malformed storage op: ") + e.what());
  }
}

std::string EncodeStorageReport(const StorageReport& r) {
  json j{{"op", r.op}, {"blob_id", r.blob_id}, {"ok", r.ok}, {"error", r.error},
         {"size_bytes", r.size_bytes}};
  if (!r.sha256.empty()) j["sha256"] = r.sha256;
  return j.dump();
}

Result<StorageReport> DecodeStorageReport(const std::string& text) {
  try {
    json j = json::parse(text);
    return StorageReport{j.at("op").get<std::string>(), j.at("blob_id").get<std::string>(),
                         j.at("ok").get<bool>(), j.value("error", ""),
                         j.value("size_bytes", int64_t{0}), j.value("sha256", "")};
  } catch (const std::exception& e) {
    return InvalidParameter(std::string("malformed storage report: ") + e.what());
  }
}

}  // namespace strato
