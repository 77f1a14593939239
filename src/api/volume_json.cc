#include "api/volume_json.h"

#include "api/json_output.h"
#include "core/volume_types.h"

namespace strato::api {

using nlohmann::json;

namespace {
json OrNull(const std::string& s) { return s.empty() ? json(nullptr) : json(s); }
}  // namespace

json ToJson(const Volume& v) {
  json j{{"id", v.id},
         {"tenant_id", v.tenant_id},
         {"zone", v.zone},
         {"size", v.size_gib},
         {"volume_type", v.volume_type},
         {"snapshot_id", OrNull(v.snapshot_id)},
         {"state", ToString(v.state)},
         {"state_reason", OrNull(v.state_reason)},
         {"tags", v.tags},
         {"created_at", IsoTime(v.created_at)},
         {"updated_at", IsoTime(v.updated_at)}};
  auto limits = ComputeVolumeLimits(v.volume_type, v.size_gib,
                                    v.iops ? std::optional<int64_t>(v.iops) : std::nullopt,
                                    v.throughput_mibps ? std::optional<int64_t>(v.throughput_mibps)
                                                       : std::nullopt);
  j["iops"] = limits.ok() ? json(limits->iops) : json(nullptr);
  j["throughput"] = limits.ok() ? json(limits->throughput_mibps) : json(nullptr);
  json attachments = json::array();
  if (!v.instance_id.empty()) {
    attachments.push_back(
        {{"instance_id", v.instance_id},
         {"device", v.device},
         {"state", ToString(v.attach_state)},
         {"attached_at", v.attached_at ? json(IsoTime(v.attached_at)) : json(nullptr)},
         {"delete_on_termination", v.delete_on_termination}});
  }
  j["attachments"] = std::move(attachments);
  return j;
}

json ToJson(const Snapshot& s) {
  return json{{"id", s.id},
              {"tenant_id", s.tenant_id},
              {"volume_id", s.volume_id},
              {"volume_size", s.volume_size_gib},
              {"description", s.description},
              {"state", ToString(s.state)},
              {"state_reason", OrNull(s.state_reason)},
              {"progress", std::to_string(s.progress) + "%"},
              {"tags", s.tags},
              {"created_at", IsoTime(s.created_at)},
              {"updated_at", IsoTime(s.updated_at)}};
}

json ToJson(const VolumeModification& m) {
  return json{{"volume_id", m.volume_id},
              {"state", ToString(m.state)},
              {"status_message", OrNull(m.status_message)},
              {"progress", m.progress},
              {"original",
               {{"size", m.original_size_gib},
                {"volume_type", m.original_volume_type},
                {"iops", m.original_iops},
                {"throughput", m.original_throughput_mibps}}},
              {"target",
               {{"size", m.target_size_gib},
                {"volume_type", m.target_volume_type},
                {"iops", m.target_iops},
                {"throughput", m.target_throughput_mibps}}},
              {"start_time", IsoTime(m.start_time)},
              {"end_time", m.end_time ? json(IsoTime(m.end_time)) : json(nullptr)}};
}

}  // namespace strato::api
