#pragma once
// Chooses QEMU's accelerator. /dev/kvm opening is not enough: on a nested VM without
// vmx/svm, KVM guests hang. So: "tcg" unless the CPU advertises vmx or svm AND a probe
// guest boots under KVM to its readiness line; the probe's verdict is cached in a file
// keyed by the QEMU binary and guest kernel, so it runs once per host.

#include <string>

namespace strato {

struct AccelChoice {
  std::string accel;  // "kvm" | "tcg"
  std::string why;    // one sentence, logged at start-up
};

// `requested`: "auto" | "kvm" | "tcg" (the per-host override).
AccelChoice ChooseAccel(const std::string& requested, const std::string& qemu_binary,
                        const std::string& kernel, const std::string& initrd,
                        const std::string& cache_file);

bool CpuHasVirtualizationFlags();

}  // namespace strato
