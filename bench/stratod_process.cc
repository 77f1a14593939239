#include "bench/stratod_process.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace strato::bench {
namespace {

namespace fs = std::filesystem;

std::string Trim(std::string s) {
  const char* ws = " \t\r\n";
  s.erase(0, s.find_first_not_of(ws));
  s.erase(s.find_last_not_of(ws) + 1);
  return s;
}

std::string ReadWholeFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Runs in the forked child: only async-signal-safe calls until exec.
[[noreturn]] void ExecStratod(const std::string& log_path, std::vector<char*>& argv) {
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log >= 0) {
    ::dup2(log, STDOUT_FILENO);
    ::dup2(log, STDERR_FILENO);
  }
  ::execv(argv[0], argv.data());
  ::_exit(127);
}

}  // namespace

Result<ProcessMemory> ReadProcessMemory(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  if (!in) return NotFound("ProcessNotFound", "no process " + std::to_string(pid));
  ProcessMemory m;
  std::string line;
  while (std::getline(in, line)) {
    // "VmRSS:	  123456 kB"
    if (line.rfind("VmRSS:", 0) == 0) m.rss_mib = std::stod(line.substr(6)) / 1024.0;
    if (line.rfind("VmHWM:", 0) == 0) m.hwm_mib = std::stod(line.substr(6)) / 1024.0;
  }
  return m;
}

Result<Credentials> ReadCredentialsFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return InvalidParameter("cannot read credentials file " + path);
  Credentials c;
  std::string line, section;
  while (std::getline(in, line)) {
    line = Trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      section = Trim(line.substr(1, line.find(']') - 1));
      continue;
    }
    auto eq = line.find('=');
    if (section != "default" || eq == std::string::npos) continue;
    std::string key = Trim(line.substr(0, eq)), value = Trim(line.substr(eq + 1));
    if (key == "aws_access_key_id") c.access_key_id = value;
    if (key == "aws_secret_access_key") c.secret_access_key = value;
    if (key == "region") c.region = value;
  }
  if (c.access_key_id.empty() || c.secret_access_key.empty()) {
    return InvalidParameter(path + " has no [default] aws_access_key_id/aws_secret_access_key");
  }
  return c;
}

Result<std::unique_ptr<StratodProcess>> StratodProcess::Start(
    const std::string& stratod_path, const std::string& temp_base,
    const std::vector<std::string>& extra_args, std::chrono::seconds startup_timeout) {
  if (::access(stratod_path.c_str(), X_OK) != 0) {
    return InvalidParameter("stratod not executable at '" + stratod_path + "'");
  }
  std::string pattern = temp_base + "/strato-bench-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Unavailable("mkdtemp " + pattern + ": " + std::strerror(errno));
  }
  const std::string dir = pattern;
  std::vector<std::string> args = {stratod_path, "--data-dir", dir, "--listen", "127.0.0.1:0",
                                   "--local-host", "none", "--no-access-log"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const std::string log_path = dir + "/stratod.log";

  pid_t pid = ::fork();
  if (pid < 0) return Unavailable(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) ExecStratod(log_path, argv);
  auto process = std::unique_ptr<StratodProcess>(new StratodProcess(pid, dir));
  STRATO_RETURN_IF_ERROR(process->AwaitReady(startup_timeout));
  return process;
}

Status StratodProcess::AwaitReady(std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const std::string endpoint_file = dir_ + "/endpoint";
  while (std::chrono::steady_clock::now() < deadline) {
    int wstatus = 0;
    if (::waitpid(pid_, &wstatus, WNOHANG) == pid_) {
      stopped_ = true;
      return Unavailable("stratod exited during startup; its log:\n" +
                         ReadWholeFile(dir_ + "/stratod.log"));
    }
    std::string endpoint = Trim(ReadWholeFile(endpoint_file));
    if (!endpoint.empty()) {
      endpoint_ = endpoint;
      STRATO_ASSIGN_OR_RETURN(credentials_, ReadCredentialsFile(dir_ + "/credentials"));
      return OkStatus();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Unavailable("stratod wrote no endpoint file within the startup timeout");
}

std::chrono::duration<double> StratodProcess::Stop(bool keep_dir, std::chrono::seconds grace) {
  auto start = std::chrono::steady_clock::now();
  if (!stopped_) {
    stopped_ = true;
    ::kill(pid_, SIGTERM);
    const auto deadline = start + grace;
    int wstatus = 0;
    while (::waitpid(pid_, &wstatus, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &wstatus, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  auto took = std::chrono::steady_clock::now() - start;
  keep_dir_ = keep_dir_ || keep_dir;
  if (!keep_dir_ && !dir_.empty()) {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    dir_.clear();
  }
  return took;
}

StratodProcess::~StratodProcess() { Stop(); }

}  // namespace strato::bench
