#pragma once
// Which hot-plug root port holds which volume of a VM, kept in <vm_dir>/volumes.json so a
// restarted stratod still knows (the QEMU process outlives it).

#include <map>
#include <string>

namespace strato {

using PortMap = std::map<std::string, int>;  // volume id → root port index
PortMap ReadPortMap(const std::string& vm_dir);
void WritePortMap(const std::string& vm_dir, const PortMap& ports);

}  // namespace strato
