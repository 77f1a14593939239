#pragma once
// DnsmasqSupervisor: keeps one dnsmasq per subnet running inside its VPC namespace.
//
// State lives in files under `dir` (per subnet: <subnet>.hosts, .pid, .leases, .log), so a
// restarted stratod finds the dnsmasqs it started before and keeps them. Ensure() writes
// the hosts file atomically when it changed and sends SIGHUP (dnsmasq re-reads
// --dhcp-hostsfile), and starts dnsmasq when its pid file names no live dnsmasq for this
// subnet (never started, died, or killed). Stop() kills it and removes its files.
// Thread-safety: none; the driver serializes calls.

#include <sys/types.h>

#include <string>

#include "common/status.h"
#include "drivers/network/command_runner.h"
#include "drivers/network/network_plan.h"

namespace strato {

class DnsmasqSupervisor {
 public:
  DnsmasqSupervisor(CommandRunner& runner, std::string dnsmasq_path)
      : runner_(runner), dnsmasq_(std::move(dnsmasq_path)) {}

  Status Ensure(const std::string& ns, const std::string& dir, const SubnetPlan& plan,
                const std::string& hosts_file_content);
  // The live dnsmasq serving `subnet_id` under `dir`, or 0.
  pid_t RunningPid(const std::string& dir, const std::string& subnet_id) const;
  Status Stop(const std::string& dir, const std::string& subnet_id);
  // Alive and not a zombie (dnsmasq daemonizes, so its exit may linger unreaped).
  static bool Alive(pid_t pid);

 private:
  CommandRunner& runner_;
  const std::string dnsmasq_;
};

}  // namespace strato
