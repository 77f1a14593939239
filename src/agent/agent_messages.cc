#include "agent/agent_messages.h"

#include "agent/firewall_messages.h"

namespace strato {

using nlohmann::json;

std::optional<VmPowerState> ParseVmPowerState(std::string_view s) {
  if (s == "running") return VmPowerState::kRunning;
  if (s == "stopped") return VmPowerState::kStopped;
  if (s == "absent") return VmPowerState::kAbsent;
  return std::nullopt;
}

json VolumeAttachmentToJson(const VolumeAttachment& a) {
  const ThrottleLimits& t = a.throttle;
  return json{{"volume_id", a.volume_id},
              {"blob_id", a.blob_id},
              {"size_bytes", a.size_bytes},
              {"throttle",
               {{"iops_total", t.iops_total}, {"iops_total_max", t.iops_total_max},
                {"iops_total_max_length", t.iops_total_max_length}, {"bps_total", t.bps_total},
                {"bps_total_max", t.bps_total_max},
                {"bps_total_max_length", t.bps_total_max_length}}}};
}

VolumeAttachment VolumeAttachmentFromJson(const json& j) {
  VolumeAttachment a;
  a.volume_id = j.at("volume_id").get<std::string>();
  a.blob_id = j.at("blob_id").get<std::string>();
  a.size_bytes = j.value("size_bytes", int64_t{0});
  const json& t = j.at("throttle");
  a.throttle.iops_total = t.value("iops_total", int64_t{0});
  a.throttle.iops_total_max = t.value("iops_total_max", int64_t{0});
  a.throttle.iops_total_max_length = t.value("iops_total_max_length", int64_t{0});
  a.throttle.bps_total = t.value("bps_total", int64_t{0});
  a.throttle.bps_total_max = t.value("bps_total_max", int64_t{0});
  a.throttle.bps_total_max_length = t.value("bps_total_max_length", int64_t{0});
  return a;
}

json VmSpecToJson(const VmSpec& s) {
  json nics = json::array();
  for (const auto& n : s.nics) {
    nics.push_back({{"port_id", n.port_id}, {"vpc_id", n.vpc_id}, {"subnet_id", n.subnet_id},
                    {"subnet_cidr", n.subnet_cidr}, {"mac", n.mac}, {"ip", n.ip},
                    {"public_ip", n.public_ip}, {"firewall", PortFirewallToJson(n.firewall)}});
  }
  json j{{"instance_id", s.instance_id}, {"vcpus", s.vcpus}, {"memory_mib", s.memory_mib},
         {"machine", s.machine}, {"image_id", s.image_id}, {"nics", std::move(nics)}};
  if (!s.volumes.empty()) {
    json vols = json::array();
    for (const auto& a : s.volumes) vols.push_back(VolumeAttachmentToJson(a));
    j["volumes"] = std::move(vols);
  }
  return j;
}

std::string EncodeVolumeMessage(const VolumeMessage& m) {
  json j{{"type", "volume"}, {"instance_id", m.instance_id}, {"volume_id", m.volume_id},
         {"attach", m.attach}, {"force", m.force}};
  if (m.attach) j["attachment"] = VolumeAttachmentToJson(m.attachment);
  if (!m.snapshot_blob_id.empty()) j["snapshot_blob_id"] = m.snapshot_blob_id;
  return j.dump();
}

Result<VolumeMessage> DecodeVolumeMessage(const json& j) {
  try {
    VolumeMessage m;
    m.instance_id = j.at("instance_id").get<std::string>();
    m.volume_id = j.at("volume_id").get<std::string>();
    m.attach = j.at("attach").get<bool>();
    m.force = j.value("force", false);
    if (m.attach) m.attachment = VolumeAttachmentFromJson(j.at("attachment"));
    m.snapshot_blob_id = j.value("snapshot_blob_id", "");
    return m;
  } catch (const json::exception& e) {
    return InvalidParameter(std::string("bad volume message: ") + e.what());
  }
}

std::string EncodeVolumeReport(const VolumeReport& r) {
  return json{{"kind", "volume"}, {"host_id", r.host_id}, {"instance_id", r.instance_id},
              {"volume_id", r.volume_id}, {"attached", r.attached}, {"ok", r.ok},
              {"error", r.error}, {"snapshot_blob_id", r.snapshot_blob_id}}
      .dump();
}

Result<VolumeReport> DecodeVolumeReport(const std::string& text) {
  try {
    json j = json::parse(text);
    if (j.value("kind", "") != "volume") return InvalidParameter("not a volume report");
    return VolumeReport{j.at("host_id").get<std::string>(), j.at("instance_id").get<std::string>(),
                        j.at("volume_id").get<std::string>(), j.at("attached").get<bool>(),
                        j.at("ok").get<bool>(), j.value("error", ""),
                        j.value("snapshot_blob_id", "")};
  } catch (const json::exception& e) {
    return InvalidParameter(std::string("bad volume report: ") + e.what());
  }
}

bool IsVolumeReport(const std::string& text) {
  return text.find("\"kind\":\"volume\"") != std::string::npos;
}

Result<VmSpec> VmSpecFromJson(const json& j) {
  try {
    VmSpec s;
    s.instance_id = j.at("instance_id").get<std::string>();
    s.vcpus = j.at("vcpus").get<int>();
    s.memory_mib = j.at("memory_mib").get<int64_t>();
    s.machine = j.at("machine").get<std::string>();
    s.image_id = j.at("image_id").get<std::string>();
    for (const auto& n : j.value("nics", json::array())) {
      s.nics.push_back(VmNic{n.at("port_id").get<std::string>(), n.at("vpc_id").get<std::string>(),
                             n.at("subnet_id").get<std::string>(),
                             n.at("subnet_cidr").get<std::string>(), n.at("mac").get<std::string>(),
                             n.at("ip").get<std::string>()});
      s.nics.back().public_ip = n.value("public_ip", "");
      if (n.contains("firewall")) s.nics.back().firewall = PortFirewallFromJson(n["firewall"]);
    }
    if (j.contains("volumes")) {
      for (const auto& v : j["volumes"]) s.volumes.push_back(VolumeAttachmentFromJson(v));
    }
    return s;
  } catch (const json::exception& e) {
    return InvalidParameter(std::string("bad vm spec: ") + e.what());
  }
}

std::string EncodeApply(const ApplyMessage& m) {
  return json{{"type", "apply"}, {"vm", VmSpecToJson(m.vm)}, {"desired", ToString(m.desired)},
              {"force", m.force}, {"reboot_generation", m.reboot_generation},
              {"generation", m.generation}}
      .dump();
}

std::string EncodeSync(const std::vector<SyncEntry>& entries) {
  json vms = json::array();
  for (const auto& e : entries) {
    vms.push_back({{"vm", VmSpecToJson(e.vm)},
                   {"believed", ToString(e.believed)},
                   {"generation", e.generation}});
  }
  return json{{"type", "sync"}, {"vms", std::move(vms)}}.dump();
}

bool IsSyncMessage(std::string_view message_json) {
  // nlohmann::json writes object keys in order, so "type" comes first ("type" < "vms").
  return message_json.starts_with(R"({"type":"sync",)");
}

std::string EncodeConsoleCall(const std::string& instance_id, size_t max_bytes) {
  return json{{"type", "console"}, {"instance_id", instance_id}, {"max_bytes", max_bytes}}.dump();
}

std::string EncodeReport(const AgentReport& r) {
  return json{{"host_id", r.host_id}, {"instance_id", r.instance_id},
              {"state", ToString(r.state)}, {"reason", r.reason}, {"generation", r.generation}}
      .dump();
}

Result<AgentReport> DecodeReport(const std::string& text) {
  try {
    json j = json::parse(text);
    AgentReport r;
    r.host_id = j.at("host_id").get<std::string>();
    r.instance_id = j.at("instance_id").get<std::string>();
    auto state = ParseVmPowerState(j.at("state").get<std::string>());
    if (!state) return InvalidParameter("bad report state");
    r.state = *state;
    r.reason = j.value("reason", "");
    r.generation = j.value("generation", int64_t{0});
    return r;
  } catch (const json::exception& e) {
    return InvalidParameter(std::string("bad agent report: ") + e.what());
  }
}

}  // namespace strato
