#include "agent/agent_messages.h"

namespace strato {

using nlohmann::json;

std::optional<VmPowerState> ParseVmPowerState(std::string_view s) {
  if (s == "running") return VmPowerState::kRunning;
  if (s == "stopped") return VmPowerState::kStopped;
  if (s == "absent") return VmPowerState::kAbsent;
  return std::nullopt;
}

json VmSpecToJson(const VmSpec& s) {
  json nics = json::array();
  for (const auto& n : s.nics) {
    nics.push_back({{"port_id", n.port_id}, {"vpc_id", n.vpc_id}, {"subnet_id", n.subnet_id},
                    {"subnet_cidr", n.subnet_cidr}, {"mac", n.mac}, {"ip", n.ip}});
  }
  return json{{"instance_id", s.instance_id}, {"vcpus", s.vcpus}, {"memory_mib", s.memory_mib},
              {"machine", s.machine}, {"image_id", s.image_id}, {"nics", std::move(nics)}};
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
    }
    return s;
  } catch (const json::exception& e) {
    return InvalidParameter(std::string("bad vm spec: ") + e.what());
  }
}

std::string EncodeApply(const ApplyMessage& m) {
  return json{{"type", "apply"}, {"vm", VmSpecToJson(m.vm)}, {"desired", ToString(m.desired)},
              {"force", m.force}, {"reboot_generation", m.reboot_generation}}
      .dump();
}

std::string EncodeSync(const std::vector<SyncEntry>& entries) {
  json vms = json::array();
  for (const auto& e : entries) {
    vms.push_back({{"vm", VmSpecToJson(e.vm)}, {"believed", ToString(e.believed)}});
  }
  return json{{"type", "sync"}, {"vms", std::move(vms)}}.dump();
}

std::string EncodeConsoleCall(const std::string& instance_id, size_t max_bytes) {
  return json{{"type", "console"}, {"instance_id", instance_id}, {"max_bytes", max_bytes}}.dump();
}

std::string EncodeReport(const AgentReport& r) {
  return json{{"host_id", r.host_id}, {"instance_id", r.instance_id},
              {"state", ToString(r.state)}, {"reason", r.reason}}
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
    return r;
  } catch (const json::exception& e) {
    return InvalidParameter(std::string("bad agent report: ") + e.what());
  }
}

}  // namespace strato
