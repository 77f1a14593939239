#include "common/ipv4_cidr.h"

#include <charconv>

namespace strato {
namespace {

bool ParseDecimal(std::string_view s, int max, int& out) {
  if (s.empty() || s.size() > 3 || (s.size() > 1 && s[0] == '0')) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && p == s.data() + s.size() && out >= 0 && out <= max;
}

}  // namespace

Result<uint32_t> ParseIpv4(std::string_view text) {
  uint32_t addr = 0;
  std::string_view rest = text;
  for (int i = 0; i < 4; ++i) {
    size_t dot = rest.find('.');
    std::string_view part = i < 3 ? rest.substr(0, dot) : rest;
    if (i < 3 && dot == std::string_view::npos) break;
    int v = 0;
    if (!ParseDecimal(part, 255, v)) break;
    addr = (addr << 8) | static_cast<uint32_t>(v);
    if (i == 3) return addr;
    rest = rest.substr(dot + 1);
  }
  return InvalidParameter("'" + std::string(text) + "' is not an IPv4 address");
}

std::string FormatIpv4(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 255) + "." +
         std::to_string((a >> 8) & 255) + "." + std::to_string(a & 255);
}

Ipv4Cidr::Ipv4Cidr(uint32_t network, int prefix_len) : network_(network), prefix_len_(prefix_len) {
  network_ &= netmask();
}

uint32_t Ipv4Cidr::netmask() const {
  return prefix_len_ == 0 ? 0 : ~uint32_t{0} << (32 - prefix_len_);
}

Result<Ipv4Cidr> Ipv4Cidr::Parse(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return InvalidParameter("'" + std::string(text) + "' is not a valid CIDR block: " + why);
  };
  size_t slash = text.find('/');
  if (slash == std::string_view::npos) return bad("expected address/prefix");
  auto addr = ParseIpv4(text.substr(0, slash));
  if (!addr.ok()) return bad("bad address");
  int prefix = 0;
  if (!ParseDecimal(text.substr(slash + 1), 32, prefix)) return bad("prefix must be 0-32");
  Ipv4Cidr c(*addr, prefix);
  if (c.network() != *addr) return bad("host bits are set (did you mean " + c.ToString() + "?)");
  return c;
}

std::string Ipv4Cidr::ToString() const {
  return FormatIpv4(network_) + "/" + std::to_string(prefix_len_);
}

}  // namespace strato
