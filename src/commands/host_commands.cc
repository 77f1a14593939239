#include "commands/host_commands.h"

#include <algorithm>

#include "commands/page_token.h"
#include "commands/validation.h"
#include "common/ids.h"

namespace strato {

Status HostCommands::ValidateShape(int vcpus, int64_t memory_mib, std::optional<double> ratio,
                                   const std::optional<std::string>& zone) const {
  if (vcpus < 1 || vcpus > 4096) return InvalidParameter("'vcpus' must be between 1 and 4096.");
  if (memory_mib < 128 || memory_mib > (int64_t{64} << 20)) {
    return InvalidParameter("'memory_mib' must be between 128 and 67108864 (64 TiB).");
  }
  if (ratio && (*ratio < 1.0 || *ratio > 64.0)) {
    return InvalidParameter("'cpu_ratio' must be between 1.0 and 64.0.");
  }
  if (zone && std::find(env_.zones.begin(), env_.zones.end(), *zone) == env_.zones.end()) {
    return InvalidParameter("'zone': '" + *zone + "' is not an availability zone of region " +
                            env_.region + ".");
  }
  return OkStatus();
}

Result<Host> HostCommands::Add(const Principal& p, const AddHostInput& in) {
  STRATO_RETURN_IF_ERROR(RequireAdmin(p));
  STRATO_RETURN_IF_ERROR(ValidateName("name", in.name, 64));
  if (in.driver != "sim" && in.driver != "qemu") {
    return InvalidParameter("'driver' must be 'sim' or 'qemu'.");
  }
  STRATO_RETURN_IF_ERROR(ValidateShape(in.vcpus, in.memory_mib, in.cpu_ratio, in.zone));
  Host h{.id = NewResourceId("h"), .name = in.name, .zone = in.zone.value_or(env_.zones.front()),
         .driver = in.driver, .vcpus = in.vcpus, .memory_mib = in.memory_mib,
         .cpu_ratio = in.cpu_ratio.value_or(env_.default_cpu_ratio), .enabled = true,
         .created_at = env_.now_ms()};
  Status s = env_.store->Write([&](WriteTxn& t) { return t.InsertHost(h); });
  if (s.code() == "AlreadyExists") {
    return Conflict("HostAlreadyExists", "A host named '" + in.name + "' already exists.");
  }
  STRATO_RETURN_IF_ERROR(s);
  env_.kick({});
  return h;
}

Result<std::vector<std::string>> HostCommands::AddSim(const Principal& p,
                                                      const AddSimHostsInput& in) {
  STRATO_RETURN_IF_ERROR(RequireAdmin(p));
  if (in.count < 1 || in.count > 10000) {
    return InvalidParameter("'count' must be between 1 and 10000.");
  }
  STRATO_RETURN_IF_ERROR(ValidateName("name_prefix", in.name_prefix, 40));
  STRATO_RETURN_IF_ERROR(ValidateShape(in.vcpus, in.memory_mib, in.cpu_ratio, in.zone));
  std::vector<Host> hosts;
  const int64_t now = env_.now_ms();
  for (int n = 0; n < in.count; ++n) {
    Host h{.id = NewResourceId("h"), .driver = "sim", .vcpus = in.vcpus,
           .memory_mib = in.memory_mib, .cpu_ratio = in.cpu_ratio.value_or(env_.default_cpu_ratio),
           .enabled = true, .created_at = now};
    h.name = in.name_prefix + "-" + h.id.substr(2);
    // Without a zone, sim hosts are dealt round-robin across the region's zones.
    h.zone = in.zone.value_or(env_.zones[static_cast<size_t>(n) % env_.zones.size()]);
    hosts.push_back(std::move(h));
  }
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) {
    for (const Host& h : hosts) STRATO_RETURN_IF_ERROR(t.InsertHost(h));
    return OkStatus();
  }));
  env_.kick({});
  std::vector<std::string> ids;
  for (const auto& h : hosts) ids.push_back(h.id);
  return ids;
}

Result<HostPage> HostCommands::List(const Principal& p, const HostFilter& filter, int page_size,
                                    const std::string& next_token) {
  STRATO_RETURN_IF_ERROR(RequireAdmin(p));
  if (page_size < 1 || page_size > 1000) {
    return InvalidParameter("'page_size' must be between 1 and 1000.");
  }
  Page page{.limit = page_size + 1};
  if (!next_token.empty()) {
    STRATO_ASSIGN_OR_RETURN(page.after_id, DecodePageToken(next_token, "h"));
  }
  HostPage out;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    STRATO_ASSIGN_OR_RETURN(out.hosts, t.ListHosts(filter, page));
    return OkStatus();
  }));
  if (out.hosts.size() > static_cast<size_t>(page_size)) {
    out.hosts.pop_back();
    out.next_token = EncodePageToken(out.hosts.back().id);
  }
  return out;
}

Result<Host> HostCommands::Get(const Principal& p, const std::string& id) {
  STRATO_RETURN_IF_ERROR(RequireAdmin(p));
  STRATO_RETURN_IF_ERROR(ValidateId("host_id", id, "h", "InvalidHostID.NotFound"));
  Result<Host> out = Internal("unset");
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    out = t.GetHost(id);
    return OkStatus();
  }));
  return out;
}

Result<Host> HostCommands::SetEnabled(const Principal& p, const std::string& id, bool enabled) {
  STRATO_RETURN_IF_ERROR(RequireAdmin(p));
  STRATO_RETURN_IF_ERROR(ValidateId("host_id", id, "h", "InvalidHostID.NotFound"));
  Host out;
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) {
    STRATO_RETURN_IF_ERROR(t.SetHostEnabled(id, enabled));
    STRATO_ASSIGN_OR_RETURN(out, t.GetHost(id));
    return OkStatus();
  }));
  env_.kick({});
  return out;
}

}  // namespace strato
