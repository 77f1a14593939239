#include "cli/volume_spec.h"

#include <charconv>
#include <optional>

namespace strato::cli {
namespace {

std::optional<int64_t> Number(std::string_view s) {
  int64_t n = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return n;
}

}  // namespace

Result<nlohmann::ordered_json> ParseVolumeSpec(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return InvalidParameter("volume '" + std::string(text) + "': " + why);
  };
  const size_t colon = text.find(':');
  if (colon == 0 || colon == std::string_view::npos) {
    return bad("expected DEVICE:SIZE[:TYPE…] or DEVICE:snap-…[:…]");
  }
  nlohmann::ordered_json out{{"device", std::string(text.substr(0, colon))}};
  std::string_view rest = text.substr(colon + 1);
  while (true) {
    const size_t next = rest.find(':');
    const std::string_view item = rest.substr(0, next);
    const size_t eq = item.find('=');
    const std::string_view key = item.substr(0, eq);
    if (item.empty()) return bad("an empty item");
    if (eq != std::string_view::npos && (key == "iops" || key == "throughput")) {
      auto n = Number(item.substr(eq + 1));
      if (!n) return bad(std::string(key) + " must be a number");
      out[key == "iops" ? "iops" : "throughput_mibps"] = *n;
    } else if (auto n = Number(item)) {
      out["size_gib"] = *n;
    } else if (item.rfind("snap-", 0) == 0) {
      out["snapshot_id"] = std::string(item);
    } else if (item == "keep") {
      out["delete_on_termination"] = false;
    } else if (eq == std::string_view::npos) {
      out["volume_type"] = std::string(item);
    } else {
      return bad("unknown item '" + std::string(item) + "'");
    }
    if (next == std::string_view::npos) break;
    rest = rest.substr(next + 1);
  }
  return out;
}

Result<nlohmann::ordered_json> ParseVolumeSpecs(const std::vector<std::string>& args) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const std::string& arg : args) {
    STRATO_ASSIGN_OR_RETURN(auto one, ParseVolumeSpec(arg));
    out.push_back(std::move(one));
  }
  return out;
}

}  // namespace strato::cli
