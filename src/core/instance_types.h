#pragma once
// The instance-type catalog: a fixed table compiled into the binary.
// Standard families boot as q35 machines (PCI, hot-plug); the mv1 micro family boots
// as microvm (virtio-mmio, fast boot, no hot-plug).

#include <span>
#include <string>
#include <string_view>

namespace strato {

struct InstanceType {
  std::string_view name;
  int vcpus;
  int64_t memory_mib;
  std::string_view machine;  // "q35" | "microvm"
  std::string_view family() const { return name.substr(0, name.find('.')); }
};

std::span<const InstanceType> InstanceTypeCatalog();
// nullptr when the name is not in the catalog.
const InstanceType* FindInstanceType(std::string_view name);

}  // namespace strato
