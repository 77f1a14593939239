#include "daemon/daemon_options.h"

#include <CLI/CLI.hpp>

namespace strato {

DaemonOptions ParseDaemonOptions(int argc, char** argv) {
  DaemonOptions o;
  CLI::App app{"stratod: the Strato cloud daemon (control plane, API and host agent in one)."};
  app.footer(
      "Every flag can also be set by the environment variable named beside it.\n"
      "On first start stratod creates the admin tenant and writes its credentials, as an\n"
      "AWS-style profile [default] the strato CLI reads, to <data-dir>/credentials (0600).");
  app.add_option("--data-dir", o.data_dir, "State directory (SQLite store, keys, credentials)")
      ->envname("STRATO_DATA_DIR")
      ->capture_default_str();
  app.add_option("--listen", o.listen, "Address:port of the API (port 0 = any free port)")
      ->envname("STRATO_LISTEN")
      ->capture_default_str();
  app.add_option("--region", o.region, "Region name")->envname("STRATO_REGION")->capture_default_str();
  app.add_option("--zones", o.zones, "Availability zones (default: <region>a)")
      ->envname("STRATO_ZONES")
      ->delimiter(',');
  app.add_option("--placement-policy", o.placement_policy, "Cloud-wide default: pack|spread|balance")
      ->envname("STRATO_PLACEMENT_POLICY")
      ->check(CLI::IsMember({"pack", "spread", "balance"}))
      ->capture_default_str();
  app.add_option("--cpu-ratio", o.cpu_ratio, "Default vCPU overcommit ratio for new hosts")
      ->envname("STRATO_CPU_RATIO")
      ->check(CLI::Range(1.0, 64.0))
      ->capture_default_str();
  app.add_option("--local-host", o.local_host,
                 "Register the local machine as a host on first start: qemu|sim|none")
      ->envname("STRATO_LOCAL_HOST")
      ->check(CLI::IsMember({"qemu", "sim", "none"}))
      ->capture_default_str();
  app.add_option("--guest-dir", o.guest_dir,
                 "Directory with the default guest (vmlinuz, initrd.img); default <data-dir>/guest")
      ->envname("STRATO_GUEST_DIR");
  app.add_option("--accel", o.accel, "QEMU accelerator for the local host: auto|kvm|tcg")
      ->envname("STRATO_ACCEL")
      ->check(CLI::IsMember({"auto", "kvm", "tcg"}))
      ->capture_default_str();
  app.add_option("--qemu-binary", o.qemu_binary, "QEMU system emulator to run")
      ->envname("STRATO_QEMU_BINARY")
      ->capture_default_str();
  app.add_option("--stop-timeout-ms", o.stop_timeout_ms,
                 "How long a graceful stop waits for the guest before forcing it off")
      ->envname("STRATO_STOP_TIMEOUT_MS")
      ->capture_default_str();
  app.add_option("--s3-domain", o.s3_domain,
                 "Domain of virtual-hosted S3 addressing: <bucket>.<domain> names a bucket")
      ->envname("STRATO_S3_DOMAIN")
      ->capture_default_str();
  app.add_option("--public-cidr", o.public_cidr,
                 "Elastic IPs are allocated from this IPv4 CIDR (/16 to /27), which exists only "
                 "on Strato's public bridges")
      ->envname("STRATO_PUBLIC_CIDR")
      ->capture_default_str();
  app.add_flag("--guest-console-shell", o.guest_console_shell,
               "Ask the Strato guest image for a root shell on the serial console "
               "(<data-dir>/vms/<id>/serial.sock); for tests and debugging")
      ->envname("STRATO_GUEST_CONSOLE_SHELL");
  app.add_option("--memory-reserve-mib", o.memory_reserve_mib,
                 "Memory of the local host kept back for the OS and stratod")
      ->envname("STRATO_MEMORY_RESERVE_MIB")
      ->capture_default_str();
  app.add_option("--sim-start-latency-ms", o.sim_start_latency_ms,
                 "Boot time of guests on sim hosts")
      ->envname("STRATO_SIM_START_LATENCY_MS")
      ->check(CLI::Range(0, 3600000))
      ->capture_default_str();
  app.add_option("--sim-stop-latency-ms", o.sim_stop_latency_ms,
                 "Graceful power-off time of guests on sim hosts")
      ->envname("STRATO_SIM_STOP_LATENCY_MS")
      ->check(CLI::Range(0, 3600000))
      ->capture_default_str();
  app.add_option("--terminated-retention", o.terminated_retention_s,
                 "Seconds a terminated instance stays visible")
      ->envname("STRATO_TERMINATED_RETENTION")
      ->capture_default_str();
  app.add_option("--resync-interval-ms", o.resync_interval_ms,
                 "How often controllers re-sync every host and purge")
      ->envname("STRATO_RESYNC_INTERVAL_MS")
      ->capture_default_str();
  app.add_option("--http-threads", o.http_threads, "HTTP I/O threads")
      ->envname("STRATO_HTTP_THREADS")
      ->capture_default_str();
  app.add_option("--worker-threads", o.worker_threads, "Request worker threads")
      ->envname("STRATO_WORKER_THREADS")
      ->capture_default_str();
  app.add_option("--max-body-bytes", o.max_body_bytes, "Largest accepted API request body")
      ->envname("STRATO_MAX_BODY_BYTES")
      ->capture_default_str();
  app.add_option("--log-level", o.log_level, "trace|debug|info|warn|error")
      ->envname("STRATO_LOG_LEVEL")
      ->capture_default_str();
  app.add_flag("!--no-access-log", o.access_log, "Do not log one line per request")
      ->envname("STRATO_NO_ACCESS_LOG");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::exit(app.exit(e) == 0 ? 0 : 2);
  }
  if (o.zones.empty()) o.zones.push_back(o.region + "a");
  if (o.guest_dir.empty()) o.guest_dir = o.data_dir + "/guest";
  return o;
}

}  // namespace strato
