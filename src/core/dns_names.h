#pragma once
// The private DNS name of an instance, "<instance id>.strato.internal": the name the subnet's
// dnsmasq answers for it, and the one the metadata service (hostname, local-hostname) and
// DescribeInstances (privateDnsName) report. One definition, so the three never disagree.

#include <string>
#include <string_view>

namespace strato {

inline constexpr std::string_view kInternalDomain = "strato.internal";

inline std::string PrivateDnsName(std::string_view instance_id) {
  return std::string(instance_id) + "." + std::string(kInternalDomain);
}

}  // namespace strato
