#pragma once
// The source guard: identifying a caller by its source address (as the metadata service
// does) is only sound if a guest cannot send with another guest's address. In each VPC
// namespace, a "bridge strato_source" table drops, at each guest's tap, frames whose source
// MAC is not the NIC's, IPv4 packets whose source is not its address (0.0.0.0 is allowed for
// DHCP) and ARP that claims another address — so neither a forged source nor a poisoned
// ARP cache can make the namespace answer one guest's request to another.
// Pure function; thread-safe.

#include <string>
#include <vector>

namespace strato {

struct GuardedPort {
  std::string tap;  // the NIC's tap in the VPC namespace
  std::string mac;  // "02:…"
  std::string ip;   // its private address
};

// The whole table, replacing any previous version atomically (one nft batch).
std::string RenderSourceGuard(const std::vector<GuardedPort>& ports);

}  // namespace strato
