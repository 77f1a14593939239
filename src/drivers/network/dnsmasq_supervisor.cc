#include "drivers/network/dnsmasq_supervisor.h"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace strato {
namespace {

namespace fs = std::filesystem;
constexpr std::chrono::seconds kStartTimeout{10};

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

Status WriteFileAtomically(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << content;
    if (!f.flush()) return Internal("cannot write " + tmp);
  }
  std::error_code ec;
  // dnsmasq reads it as "nobody" once it has dropped root.
  fs::permissions(tmp,
                  fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                      fs::perms::others_read,
                  ec);
  fs::rename(tmp, path, ec);
  if (ec) return Internal("cannot rename " + tmp + ": " + ec.message());
  return OkStatus();
}

std::string Prefix(const std::string& dir, const std::string& subnet_id) {
  return dir + "/" + subnet_id;
}

}  // namespace

pid_t DnsmasqSupervisor::RunningPid(const std::string& dir, const std::string& subnet_id) const {
  std::string prefix = Prefix(dir, subnet_id);
  pid_t pid = 0;
  std::istringstream(ReadFile(prefix + ".pid")) >> pid;
  if (pid <= 0) return 0;
  // The pid must still be *our* dnsmasq (pids get reused): its command line names our
  // hosts file, which is unique per subnet.
  std::string cmdline = ReadFile("/proc/" + std::to_string(pid) + "/cmdline");
  for (char& c : cmdline)
    if (c == '\0') c = ' ';
  if (!Alive(pid) || cmdline.find("--dhcp-hostsfile=" + prefix + ".hosts ") == std::string::npos)
    return 0;
  return pid;
}

Status DnsmasqSupervisor::Ensure(const std::string& ns, const std::string& dir,
                                 const SubnetPlan& plan, const std::string& hosts) {
  std::string prefix = Prefix(dir, plan.id);
  bool changed = ReadFile(prefix + ".hosts") != hosts || !fs::exists(prefix + ".hosts");
  if (changed) STRATO_RETURN_IF_ERROR(WriteFileAtomically(prefix + ".hosts", hosts));
  pid_t pid = RunningPid(dir, plan.id);
  if (pid > 0) {
    if (changed && ::kill(pid, SIGHUP) != 0) return Internal("cannot signal dnsmasq");
    return OkStatus();
  }
  std::vector<std::string> argv = {"ip", "netns", "exec", ns};
  for (auto& a : DnsmasqArgs(plan, dnsmasq_, prefix)) argv.push_back(std::move(a));
  STRATO_ASSIGN_OR_RETURN(int code, runner_.RunLogged(argv, prefix + ".out", kStartTimeout));
  if (code != 0)
    return Internal("dnsmasq for " + plan.id + " failed to start (exit " + std::to_string(code) +
                    "): " + ReadFile(prefix + ".out"));
  // dnsmasq writes its pid file before the parent exits; check it is really up.
  if (RunningPid(dir, plan.id) == 0) return Internal("dnsmasq for " + plan.id + " did not stay up");
  return OkStatus();
}

bool DnsmasqSupervisor::Alive(pid_t pid) {
  if (pid <= 0) return false;
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  auto paren = stat.rfind(')');
  return paren != std::string::npos && stat.size() > paren + 2 && stat[paren + 2] != 'Z';
}

Status DnsmasqSupervisor::Stop(const std::string& dir, const std::string& subnet_id) {
  pid_t pid = RunningPid(dir, subnet_id);
  if (pid > 0) {
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 500 && Alive(pid); ++i)
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    if (Alive(pid)) ::kill(pid, SIGKILL);
  }
  std::string prefix = Prefix(dir, subnet_id);
  for (const char* ext : {".pid", ".hosts", ".leases", ".log", ".out", ".hosts.tmp"})
    fs::remove(prefix + ext);
  return OkStatus();
}

}  // namespace strato
