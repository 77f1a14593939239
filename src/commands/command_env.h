#pragma once
// CommandEnv: what every command needs from the world, injected so tests can fake it.
// Commands validate, authorize, write desired state in one transaction, wake the
// controllers and return; they never call a driver.

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "store/store.h"

namespace strato {

struct CommandEnv {
  Store* store = nullptr;
  // Wakes the controllers for these instances (empty: hosts/capacity changed).
  std::function<void(std::vector<std::string>)> kick = [](std::vector<std::string>) {};
  // Wakes the volume controller (volumes, snapshots or blobs changed).
  std::function<void()> kick_volumes = [] {};
  std::function<int64_t()> now_ms = [] {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
  };
  std::string region = "strato-1";
  std::vector<std::string> zones = {"strato-1a"};
  double default_cpu_ratio = 4.0;
  // Elastic IPs come from here (docs/network.md); never routed to a real interface.
  std::string public_cidr = "198.51.100.0/24";
};

// Admin-only guard: members get UnauthorizedOperation (403).
Status RequireAdmin(const Principal& p);

}  // namespace strato
