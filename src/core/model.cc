#include "core/model.h"

#include <array>
#include <utility>

namespace strato {
namespace {

constexpr std::array<std::pair<InstanceState, const char*>, 6> kStates = {{
    {InstanceState::kPending, "pending"},
    {InstanceState::kRunning, "running"},
    {InstanceState::kStopping, "stopping"},
    {InstanceState::kStopped, "stopped"},
    {InstanceState::kShuttingDown, "shutting-down"},
    {InstanceState::kTerminated, "terminated"},
}};
constexpr std::array<std::pair<DesiredState, const char*>, 3> kDesired = {{
    {DesiredState::kRunning, "running"},
    {DesiredState::kStopped, "stopped"},
    {DesiredState::kTerminated, "terminated"},
}};
constexpr std::array<std::pair<Role, const char*>, 2> kRoles = {{
    {Role::kAdmin, "admin"},
    {Role::kMember, "member"},
}};

template <typename E, size_t N>
const char* Name(const std::array<std::pair<E, const char*>, N>& table, E value) {
  for (const auto& [e, name] : table)
    if (e == value) return name;
  return "unknown";
}

template <typename E, size_t N>
std::optional<E> Parse(const std::array<std::pair<E, const char*>, N>& table, std::string_view s) {
  for (const auto& [e, name] : table)
    if (s == name) return e;
  return std::nullopt;
}

}  // namespace

const char* ToString(InstanceState s) { return Name(kStates, s); }
const char* ToString(DesiredState s) { return Name(kDesired, s); }
const char* ToString(Role r) { return Name(kRoles, r); }
std::optional<InstanceState> ParseInstanceState(std::string_view s) { return Parse(kStates, s); }
std::optional<DesiredState> ParseDesiredState(std::string_view s) { return Parse(kDesired, s); }
std::optional<Role> ParseRole(std::string_view s) { return Parse(kRoles, s); }

}  // namespace strato
