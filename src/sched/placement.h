#pragma once
// Placement policies: pure functions over a capacity snapshot, no I/O, so they are
// exhaustively unit-testable and fast (the scheduler calls them once per instance).
//
// pack:    greedy — the first host (in a stable order) that fits; fills a host before
//          using the next.
// spread:  round-robin — the next host after the one chosen last that fits.
// balance: least loaded — the host with the most remaining memory (then vCPU) share.
// Memory is never overcommitted; vCPUs up to vcpus * cpu_ratio.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace strato {

enum class PlacementPolicy { kPack, kSpread, kBalance };
std::optional<PlacementPolicy> ParsePlacementPolicy(std::string_view s);
const char* ToString(PlacementPolicy p);

struct HostCapacity {
  std::string id;
  std::string zone;
  bool enabled = true;
  int vcpus = 0;
  int64_t memory_mib = 0;
  double cpu_ratio = 4.0;
  int used_vcpus = 0;
  int64_t used_memory_mib = 0;

  bool FitsMemory(int64_t mib) const { return used_memory_mib + mib <= memory_mib; }
  bool FitsVcpus(int n) const { return used_vcpus + n <= static_cast<int64_t>(vcpus * cpu_ratio); }
};

struct PlacementRequest {
  int vcpus = 0;
  int64_t memory_mib = 0;
  std::optional<std::string> zone;
  PlacementPolicy policy = PlacementPolicy::kPack;
};

struct PlacementResult {
  std::optional<size_t> host_index;  // index into the host vector when placed
  // Why not, when not placed: a sentence naming the short resource and host counts.
  std::string reason;
};

// Chooses a host. `spread_cursor` is the round-robin position, advanced on success.
// Does not modify `hosts`; the caller commits the choice with Reserve().
PlacementResult ChooseHost(const std::vector<HostCapacity>& hosts, const PlacementRequest& req,
                           size_t& spread_cursor);
void Reserve(HostCapacity& host, const PlacementRequest& req);
void Release(HostCapacity& host, int vcpus, int64_t memory_mib);

}  // namespace strato
