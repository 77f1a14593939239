#pragma once
// IPv4 addresses and CIDR blocks: parsing, containment, overlap, host arithmetic.
//
// Parsing is strict: dotted quad with no leading zeros, prefix 0-32, and the address of a
// CIDR must be its network address ("10.0.0.0/16", not "10.0.1.0/16"). Bad input yields
// InvalidParameterValue naming the text. Value types, thread-safe.

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace strato {

// Parses "a.b.c.d" into a host-order uint32.
Result<uint32_t> ParseIpv4(std::string_view text);
std::string FormatIpv4(uint32_t addr);

class Ipv4Cidr {
 public:
  static Result<Ipv4Cidr> Parse(std::string_view text);
  Ipv4Cidr(uint32_t network, int prefix_len);

  uint32_t network() const { return network_; }
  int prefix_len() const { return prefix_len_; }
  uint32_t netmask() const;
  uint32_t broadcast() const { return network_ | ~netmask(); }
  uint64_t size() const { return uint64_t{1} << (32 - prefix_len_); }
  // network() + n; n must be < size().
  uint32_t Host(uint64_t n) const { return network_ + static_cast<uint32_t>(n); }
  bool Contains(uint32_t addr) const { return (addr & netmask()) == network_; }
  bool Contains(const Ipv4Cidr& other) const {
    return other.prefix_len_ >= prefix_len_ && Contains(other.network_);
  }
  bool Overlaps(const Ipv4Cidr& other) const { return Contains(other) || other.Contains(*this); }
  std::string ToString() const;  // "10.0.0.0/16"
  bool operator==(const Ipv4Cidr&) const = default;

 private:
  uint32_t network_;
  int prefix_len_;
};

}  // namespace strato
