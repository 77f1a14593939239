#include "metadata/source_guard.h"

namespace strato {

std::string RenderSourceGuard(const std::vector<GuardedPort>& ports) {
  std::string s =
      "table bridge strato_source {}\n"
      "delete table bridge strato_source\n"
      "table bridge strato_source {\n"
      "  chain guard {\n"
      "    type filter hook prerouting priority -200; policy accept;\n";
  for (const auto& p : ports) {
    const std::string in = "    iifname \"" + p.tap + "\" ";
    s += in + "ether saddr != " + p.mac + " drop\n";
    s += in + "ether type ip ip saddr != { 0.0.0.0, " + p.ip + " } drop\n";
    s += in + "ether type arp arp saddr ip != { 0.0.0.0, " + p.ip + " } drop\n";
  }
  s += "  }\n}\n";
  return s;
}

}  // namespace strato
