#include "sched/placement.h"

#include <fmt/format.h>

namespace strato {

std::optional<PlacementPolicy> ParsePlacementPolicy(std::string_view s) {
  if (s == "pack") return PlacementPolicy::kPack;
  if (s == "spread") return PlacementPolicy::kSpread;
  if (s == "balance") return PlacementPolicy::kBalance;
  return std::nullopt;
}

const char* ToString(PlacementPolicy p) {
  switch (p) {
    case PlacementPolicy::kPack: return "pack";
    case PlacementPolicy::kSpread: return "spread";
    case PlacementPolicy::kBalance: return "balance";
  }
  return "pack";
}

namespace {

// Remaining share of the scarcer resource after placing req; higher = less loaded.
double Headroom(const HostCapacity& h, const PlacementRequest& req) {
  double mem = static_cast<double>(h.memory_mib - h.used_memory_mib - req.memory_mib) /
               static_cast<double>(h.memory_mib);
  double cpu_cap = h.vcpus * h.cpu_ratio;
  double cpu = (cpu_cap - h.used_vcpus - req.vcpus) / cpu_cap;
  return mem < cpu ? mem + cpu * 1e-3 : cpu + mem * 1e-3;
}

}  // namespace

PlacementResult ChooseHost(const std::vector<HostCapacity>& hosts, const PlacementRequest& req,
                           size_t& spread_cursor) {
  size_t eligible = 0, short_memory = 0, short_vcpu = 0;
  std::optional<size_t> best;
  double best_headroom = -1;
  const size_t n = hosts.size();
  const size_t start = req.policy == PlacementPolicy::kSpread && n ? spread_cursor % n : 0;
  for (size_t k = 0; k < n; ++k) {
    size_t i = (start + k) % n;
    const HostCapacity& h = hosts[i];
    if (!h.enabled || (req.zone && h.zone != *req.zone)) continue;
    ++eligible;
    bool mem_ok = h.FitsMemory(req.memory_mib);
    bool cpu_ok = h.FitsVcpus(req.vcpus);
    if (!mem_ok) ++short_memory;
    if (!cpu_ok) ++short_vcpu;
    if (!mem_ok || !cpu_ok) continue;
    if (req.policy != PlacementPolicy::kBalance) {
      best = i;
      break;
    }
    double headroom = Headroom(h, req);
    if (!best || headroom > best_headroom) {
      best = i;
      best_headroom = headroom;
    }
  }
  PlacementResult r;
  if (best) {
    r.host_index = best;
    if (req.policy == PlacementPolicy::kSpread) spread_cursor = *best + 1;
    return r;
  }
  std::string where = req.zone ? " in zone " + *req.zone : "";
  if (eligible == 0) {
    r.reason = "Insufficient capacity: no enabled host" + where + ".";
  } else {
    r.reason = fmt::format(
        "Insufficient capacity: none of {} enabled hosts{} can fit {} vCPU and {} MiB "
        "({} short of memory, {} short of vCPU).",
        eligible, where, req.vcpus, req.memory_mib, short_memory, short_vcpu);
  }
  return r;
}

void Reserve(HostCapacity& host, const PlacementRequest& req) {
  host.used_vcpus += req.vcpus;
  host.used_memory_mib += req.memory_mib;
}

void Release(HostCapacity& host, int vcpus, int64_t memory_mib) {
  host.used_vcpus -= vcpus;
  host.used_memory_mib -= memory_mib;
}

}  // namespace strato
