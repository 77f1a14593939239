#include "core/volume_model.h"

#include <array>
#include <utility>

namespace strato {

bool DeviceOrderLess(std::string_view a, std::string_view b) {
  return std::make_pair(a != kRootDeviceName, a) < std::make_pair(b != kRootDeviceName, b);
}

namespace {

constexpr std::array<std::pair<VolumeState, const char*>, 5> kVolume = {{
    {VolumeState::kCreating, "creating"},
    {VolumeState::kAvailable, "available"},
    {VolumeState::kInUse, "in-use"},
    {VolumeState::kDeleting, "deleting"},
    {VolumeState::kError, "error"},
}};
constexpr std::array<std::pair<AttachState, const char*>, 4> kAttach = {{
    {AttachState::kDetached, "detached"},
    {AttachState::kAttaching, "attaching"},
    {AttachState::kAttached, "attached"},
    {AttachState::kDetaching, "detaching"},
}};
constexpr std::array<std::pair<SnapshotState, const char*>, 4> kSnapshot = {{
    {SnapshotState::kPending, "pending"},
    {SnapshotState::kCompleted, "completed"},
    {SnapshotState::kError, "error"},
    {SnapshotState::kDeleting, "deleting"},
}};
constexpr std::array<std::pair<BlobState, const char*>, 4> kBlob = {{
    {BlobState::kCreating, "creating"},
    {BlobState::kReady, "ready"},
    {BlobState::kDeleting, "deleting"},
    {BlobState::kError, "error"},
}};

constexpr std::array<std::pair<ModificationState, const char*>, 4> kModification = {{
    {ModificationState::kModifying, "modifying"},
    {ModificationState::kOptimizing, "optimizing"},
    {ModificationState::kCompleted, "completed"},
    {ModificationState::kFailed, "failed"},
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

const char* ToString(VolumeState s) { return Name(kVolume, s); }
const char* ToString(AttachState s) { return Name(kAttach, s); }
const char* ToString(SnapshotState s) { return Name(kSnapshot, s); }
const char* ToString(BlobState s) { return Name(kBlob, s); }
const char* ToString(ModificationState s) { return Name(kModification, s); }
std::optional<ModificationState> ParseModificationState(std::string_view s) {
  return Parse(kModification, s);
}
std::optional<VolumeState> ParseVolumeState(std::string_view s) { return Parse(kVolume, s); }
std::optional<AttachState> ParseAttachState(std::string_view s) { return Parse(kAttach, s); }
std::optional<SnapshotState> ParseSnapshotState(std::string_view s) { return Parse(kSnapshot, s); }
std::optional<BlobState> ParseBlobState(std::string_view s) { return Parse(kBlob, s); }

}  // namespace strato
