#include "core/instance_types.h"

#include <array>

namespace strato {
namespace {

constexpr int64_t kGiB = 1024;

constexpr std::array<InstanceType, 19> kCatalog = {{
    {"t3.nano", 2, kGiB / 2, "q35"},
    {"t3.micro", 2, 1 * kGiB, "q35"},
    {"t3.small", 2, 2 * kGiB, "q35"},
    {"t3.medium", 2, 4 * kGiB, "q35"},
    {"t3.large", 2, 8 * kGiB, "q35"},
    {"m5.large", 2, 8 * kGiB, "q35"},
    {"m5.xlarge", 4, 16 * kGiB, "q35"},
    {"m5.2xlarge", 8, 32 * kGiB, "q35"},
    {"m5n.xlarge", 4, 16 * kGiB, "q35"},
    {"c5.large", 2, 4 * kGiB, "q35"},
    {"c5.xlarge", 4, 8 * kGiB, "q35"},
    {"c5d.large", 2, 4 * kGiB, "q35"},
    {"r5.large", 2, 16 * kGiB, "q35"},
    {"r5.xlarge", 4, 32 * kGiB, "q35"},
    {"mv1.nano", 1, 128, "microvm"},
    {"mv1.micro", 1, 256, "microvm"},
    {"mv1.small", 1, 512, "microvm"},
    {"mv1.medium", 2, 1 * kGiB, "microvm"},
    {"mv1.large", 2, 2 * kGiB, "microvm"},
}};

}  // namespace

std::span<const InstanceType> InstanceTypeCatalog() { return kCatalog; }

const InstanceType* FindInstanceType(std::string_view name) {
  for (const auto& t : kCatalog)
    if (t.name == name) return &t;
  return nullptr;
}

}  // namespace strato
