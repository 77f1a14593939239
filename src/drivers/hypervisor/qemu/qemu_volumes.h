#pragma once
// Which hot-plug root port holds which volume of a VM, kept in <vm_dir>/volumes.json so a
// restarted stratod still knows (the QEMU process outlives it).

#include <map>
#include <string>
#include <vector>

namespace strato {

using PortMap = std::map<std::string, int>;  // volume id → root port index
PortMap ReadPortMap(const std::string& vm_dir);
void WritePortMap(const std::string& vm_dir, const PortMap& ports);
// The qcow2 nodes under a plugged volume's throttle filter, bottom first: "fmt-<vol>", then
// one overlay node per live snapshot ("ov-<blob hex>"). Kept in <vm_dir>/nodes.json.
using NodeMap = std::map<std::string, std::vector<std::string>>;
NodeMap ReadNodeMap(const std::string& vm_dir);
void WriteNodeMap(const std::string& vm_dir, const NodeMap& nodes);

}  // namespace strato
