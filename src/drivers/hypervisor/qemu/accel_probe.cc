#include "drivers/hypervisor/qemu/accel_probe.h"

#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "drivers/hypervisor/qemu/process_util.h"

namespace strato {

namespace fs = std::filesystem;

bool CpuHasVirtualizationFlags() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("flags", 0) != 0) continue;
    std::istringstream words(line);
    std::string w;
    while (words >> w)
      if (w == "vmx" || w == "svm") return true;
    return false;
  }
  return false;
}

namespace {

std::string CacheKey(const std::string& binary, const std::string& kernel) {
  std::error_code ec;
  auto ksize = fs::file_size(kernel, ec);
  return binary + "|" + kernel + "|" + std::to_string(ec ? 0 : ksize);
}

// Boots the guest under KVM on microvm and waits for its readiness line.
bool ProbeKvm(const std::string& binary, const std::string& kernel, const std::string& initrd) {
  std::string dir = fs::temp_directory_path() / ("strato-kvm-probe-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string console = dir + "/console.log";
  std::vector<std::string> argv = {
      binary, "-nodefaults", "-no-user-config", "-display", "none", "-M",
      "microvm,x-option-roms=off,isa-serial=on,rtc=on", "-accel", "kvm", "-cpu", "host", "-m",
      "256M", "-kernel", kernel, "-initrd", initrd, "-append",
      "console=ttyS0 quiet strato.id=kvm-probe strato.poweroff_after=1", "-serial",
      "file:" + console, "-no-reboot"};
  auto rc = RunAndWait(argv, dir + "/qemu.log", std::chrono::seconds(20));
  bool ok = ReadTail(console, 1 << 16).find("STRATO-READY kvm-probe") != std::string::npos;
  (void)rc;
  std::error_code ec;
  fs::remove_all(dir, ec);
  return ok;
}

}  // namespace

AccelChoice ChooseAccel(const std::string& requested, const std::string& binary,
                        const std::string& kernel, const std::string& initrd,
                        const std::string& cache_file) {
  if (requested == "tcg") return {"tcg", "TCG requested by configuration"};
  if (requested == "kvm") return {"kvm", "KVM requested by configuration"};
  if (::access("/dev/kvm", R_OK | W_OK) != 0) return {"tcg", "/dev/kvm is not usable"};
  if (!CpuHasVirtualizationFlags()) {
    return {"tcg", "no vmx/svm CPU flag (a nested VM without hardware virtualization): KVM "
                   "guests would hang"};
  }
  const std::string key = CacheKey(binary, kernel);
  {
    std::ifstream f(cache_file);
    std::string cached_key, verdict;
    if (std::getline(f, cached_key) && std::getline(f, verdict) && cached_key == key) {
      return {verdict, "cached KVM probe verdict"};
    }
  }
  bool kvm = ProbeKvm(binary, kernel, initrd);
  std::ofstream(cache_file) << key << "\n" << (kvm ? "kvm" : "tcg") << "\n";
  return kvm ? AccelChoice{"kvm", "a probe guest booted under KVM"}
             : AccelChoice{"tcg", "a probe guest did not boot under KVM"};
}

}  // namespace strato
