#include "sched/placement.h"

#include <gtest/gtest.h>

#include <map>

namespace strato {
namespace {

std::vector<HostCapacity> Hosts(int n, int vcpus, int64_t mem) {
  std::vector<HostCapacity> hosts;
  for (int i = 0; i < n; ++i) {
    hosts.push_back({.id = "h-" + std::to_string(i), .zone = i % 2 ? "b" : "a", .vcpus = vcpus,
                     .memory_mib = mem, .cpu_ratio = 1.0});
  }
  return hosts;
}

std::map<std::string, int> PlaceMany(std::vector<HostCapacity>& hosts, PlacementPolicy p, int n) {
  std::map<std::string, int> count;
  size_t cursor = 0;
  PlacementRequest req{.vcpus = 1, .memory_mib = 1024, .policy = p};
  for (int i = 0; i < n; ++i) {
    auto r = ChooseHost(hosts, req, cursor);
    if (!r.host_index) break;
    Reserve(hosts[*r.host_index], req);
    count[hosts[*r.host_index].id]++;
  }
  return count;
}

TEST(PlacementTest, PackFillsOneHostBeforeTheNext) {
  auto hosts = Hosts(3, 4, 4096);
  auto count = PlaceMany(hosts, PlacementPolicy::kPack, 6);
  EXPECT_EQ(count["h-0"], 4);
  EXPECT_EQ(count["h-1"], 2);
  EXPECT_EQ(count.count("h-2"), 0u);
}

TEST(PlacementTest, SpreadRoundRobins) {
  auto hosts = Hosts(3, 4, 4096);
  auto count = PlaceMany(hosts, PlacementPolicy::kSpread, 6);
  EXPECT_EQ(count["h-0"], 2);
  EXPECT_EQ(count["h-1"], 2);
  EXPECT_EQ(count["h-2"], 2);
}

TEST(PlacementTest, BalancePicksTheLeastLoaded) {
  auto hosts = Hosts(2, 8, 8192);
  hosts[0].used_memory_mib = 4096;
  size_t cursor = 0;
  auto r = ChooseHost(hosts, {.vcpus = 1, .memory_mib = 1024, .policy = PlacementPolicy::kBalance},
                      cursor);
  EXPECT_EQ(r.host_index, 1u);
}

TEST(PlacementTest, MemoryIsNeverOvercommittedButVcpusAreUpToTheRatio) {
  auto hosts = Hosts(1, 2, 4096);
  hosts[0].cpu_ratio = 4.0;
  auto count = PlaceMany(hosts, PlacementPolicy::kPack, 100);
  EXPECT_EQ(count["h-0"], 4);  // memory-bound: 4 x 1024 MiB
  auto cpu_bound = Hosts(1, 2, 1 << 20);
  cpu_bound[0].cpu_ratio = 4.0;
  EXPECT_EQ(PlaceMany(cpu_bound, PlacementPolicy::kPack, 100)["h-0"], 8);  // 2 x 4.0
}

TEST(PlacementTest, DisabledHostsAndOtherZonesGetNothing) {
  auto hosts = Hosts(2, 4, 4096);
  hosts[0].enabled = false;
  size_t cursor = 0;
  auto r = ChooseHost(hosts, {.vcpus = 1, .memory_mib = 1, .zone = "a"}, cursor);
  EXPECT_FALSE(r.host_index);
  EXPECT_NE(r.reason.find("no enabled host in zone a"), std::string::npos);
}

TEST(PlacementTest, ReasonNamesTheShortResource) {
  auto hosts = Hosts(3, 64, 1024);
  size_t cursor = 0;
  auto r = ChooseHost(hosts, {.vcpus = 1, .memory_mib = 2048}, cursor);
  EXPECT_FALSE(r.host_index);
  EXPECT_NE(r.reason.find("none of 3 enabled hosts"), std::string::npos) << r.reason;
  EXPECT_NE(r.reason.find("3 short of memory"), std::string::npos) << r.reason;
}

}  // namespace
}  // namespace strato
