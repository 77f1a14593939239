#pragma once
// Process helpers for the QEMU driver: spawn without a shell, and look at processes by
// pid. All OS access of the driver's process handling is here.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"

namespace strato {

// Runs argv (argv[0] looked up in PATH) in a new session, stdin from /dev/null, stdout
// and stderr appended to `log_path`, and waits for it to exit (QEMU with -daemonize
// exits once the VM is set up). Returns the exit code, or an error if it could not run
// or outlived `timeout` (then it is killed). `pass_fds[k]` is inherited as fd 3 + k (e.g.
// tap fds for QEMU's -netdev tap,fd=N); nothing else of ours is.
Result<int> RunAndWait(const std::vector<std::string>& argv, const std::string& log_path,
                       std::chrono::milliseconds timeout, const std::vector<int>& pass_fds = {});

bool ProcessAlive(pid_t pid);
// The NUL-separated command line of pid joined by spaces, or "" if gone.
std::string ProcessCommandLine(pid_t pid);
// Reads a pid file; 0 if missing or malformed.
pid_t ReadPidFile(const std::string& path);
// Every live pid whose command line contains `needle`.
std::vector<pid_t> FindProcesses(const std::string& needle);
// SIGKILL, then waits up to `timeout` for the pid to disappear.
bool KillAndWait(pid_t pid, std::chrono::milliseconds timeout);
// Waits up to `timeout` for the pid to disappear.
bool WaitGone(pid_t pid, std::chrono::milliseconds timeout);
std::string ReadTail(const std::string& path, size_t max_bytes);

}  // namespace strato
