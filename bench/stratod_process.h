#pragma once
// StratodProcess: a fresh stratod for one benchmark run, in its own temporary data dir.
//
// Start() creates <base>/strato-bench-XXXXXX, runs
//   stratod --data-dir <tmp> --listen 127.0.0.1:0 --local-host none --no-access-log <extra...>
// with its output in <tmp>/stratod.log, waits for <tmp>/endpoint, and reads the admin
// credentials from <tmp>/credentials ([default] profile). The child gets SIGTERM if the
// benchmark dies (PR_SET_PDEATHSIG), so a crashed run leaves no daemon behind.
// Stop() sends SIGTERM, waits (SIGKILL after a grace period) and removes the temp dir;
// the destructor does the same.
//
// Thread-safety: none; own it from one thread. Errors: Unavailable (spawn failure, daemon
// exited or no endpoint in time), InvalidParameterValue (bad credentials file).

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_http_client.h"
#include "common/status.h"

namespace strato::bench {

struct ProcessMemory {
  double rss_mib = 0;  // VmRSS
  double hwm_mib = 0;  // VmHWM (peak RSS)
};

// VmRSS/VmHWM of a process from /proc/<pid>/status. NotFound when the process is gone.
Result<ProcessMemory> ReadProcessMemory(pid_t pid);

// The [default] profile of an AWS-style credentials file.
Result<Credentials> ReadCredentialsFile(const std::string& path);

class StratodProcess {
 public:
  static Result<std::unique_ptr<StratodProcess>> Start(
      const std::string& stratod_path, const std::string& temp_base,
      const std::vector<std::string>& extra_args,
      std::chrono::seconds startup_timeout = std::chrono::seconds(30));
  ~StratodProcess();
  StratodProcess(const StratodProcess&) = delete;
  StratodProcess& operator=(const StratodProcess&) = delete;

  const std::string& endpoint() const { return endpoint_; }
  const Credentials& credentials() const { return credentials_; }
  const std::string& data_dir() const { return dir_; }
  pid_t pid() const { return pid_; }

  // SIGTERM, wait up to `grace`, then SIGKILL; removes the data dir unless keep_dir (which
  // sticks: the destructor then leaves it too). Returns how long the daemon took to exit.
  std::chrono::duration<double> Stop(bool keep_dir = false,
                                     std::chrono::seconds grace = std::chrono::seconds(30));

 private:
  StratodProcess(pid_t pid, std::string dir) : pid_(pid), dir_(std::move(dir)) {}
  Status AwaitReady(std::chrono::seconds timeout);

  pid_t pid_;
  std::string dir_;
  std::string endpoint_;
  Credentials credentials_;
  bool stopped_ = false;
  bool keep_dir_ = false;
};

}  // namespace strato::bench
