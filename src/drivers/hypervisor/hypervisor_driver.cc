#include "drivers/hypervisor/hypervisor_driver.h"

namespace strato {

const char* ToString(VmPowerState s) {
  switch (s) {
    case VmPowerState::kRunning: return "running";
    case VmPowerState::kStopped: return "stopped";
    case VmPowerState::kAbsent: return "absent";
  }
  return "absent";
}

}  // namespace strato
