#pragma once
// stratod configuration: flags, each with an environment-variable twin (STRATO_*), and
// defaults that run an all-in-one cloud on the local machine.

#include <string>
#include <vector>

#include "common/status.h"

namespace strato {

struct DaemonOptions {
  std::string data_dir = "/var/lib/strato";
  std::string listen = "127.0.0.1:8773";
  std::string region = "strato-1";
  std::vector<std::string> zones;  // default: <region>a
  std::string placement_policy = "pack";
  double cpu_ratio = 4.0;
  std::string local_host = "qemu";  // qemu | sim | none: how the local machine joins
  std::string guest_dir;            // vmlinuz + initrd.img of the default guest
  std::string accel = "auto";       // auto | kvm | tcg for the local qemu host
  std::string qemu_binary = "qemu-system-x86_64";
  int stop_timeout_ms = 30000;
  bool guest_console_shell = false;
  std::string s3_domain = "s3.localhost";
  // Elastic IPs come from here; it lives only on Strato's own public bridges.
  std::string public_cidr = "198.51.100.0/24";
  int sim_start_latency_ms = 0;     // how long a sim guest takes to boot
  int sim_stop_latency_ms = 0;      // and to power off gracefully      // graceful power-down before a stop is forced
  int64_t memory_reserve_mib = 1024;  // kept back from the local host for the OS
  int terminated_retention_s = 3600;
  int resync_interval_ms = 10000;
  int http_threads = 2;
  int worker_threads = 8;
  size_t max_body_bytes = 1 << 20;
  std::string log_level = "info";
  bool access_log = true;
};

// Parses argv (and STRATO_* environment variables). On --help prints and exits 0; on a
// usage error prints it and exits 2.
DaemonOptions ParseDaemonOptions(int argc, char** argv);

}  // namespace strato
