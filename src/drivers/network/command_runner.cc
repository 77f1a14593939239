#include "drivers/network/command_runner.h"

#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

namespace strato {
namespace {

constexpr std::chrono::seconds kCheckedTimeout{20};

// Forks argv with stdout/stderr on `out_fd`; returns the child's pid.
Result<pid_t> Spawn(const std::vector<std::string>& argv, int out_fd) {
  if (argv.empty()) return InvalidParameter("empty command");
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) return Internal("fork: " + std::string(strerror(errno)));
  if (pid == 0) {
    // Child: only async-signal-safe calls until exec.
    ::setsid();
    int devnull = ::open("/dev/null", O_RDONLY);
    ::dup2(devnull, 0);
    ::dup2(out_fd, 1);
    ::dup2(out_fd, 2);
    ::close_range(3, ~0U, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::execvp(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

// Waits for pid until `deadline`; kills it after. Returns the exit code (128+sig if killed).
Result<int> Reap(pid_t pid, std::chrono::steady_clock::time_point deadline,
                 const std::string& what) {
  for (;;) {
    int status = 0;
    pid_t r = ::waitpid(pid, &status, WNOHANG);
    if (r == pid) {
      if (WIFEXITED(status)) return WEXITSTATUS(status);
      return 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    }
    if (r < 0 && errno != EINTR) return Internal("waitpid: " + std::string(strerror(errno)));
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      return Unavailable(what + " did not finish in time");
    }
    ::usleep(2000);
  }
}

}  // namespace

Result<CommandOutput> LinuxCommandRunner::Run(const std::vector<std::string>& argv,
                                              std::chrono::milliseconds timeout) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return Internal("pipe: " + std::string(strerror(errno)));
  auto pid = Spawn(argv, fds[1]);
  ::close(fds[1]);
  if (!pid.ok()) {
    ::close(fds[0]);
    return pid.status();
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  CommandOutput out;
  char buf[4096];
  // Read until EOF (every writer closed) or the deadline; a daemonizing child that keeps
  // the pipe open is cut off by the deadline rather than hanging us.
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) break;
    pollfd p{fds[0], POLLIN, 0};
    int r = ::poll(&p, 1, static_cast<int>(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    ssize_t n = ::read(fds[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.output.append(buf, static_cast<size_t>(n));
  }
  ::close(fds[0]);
  auto code = Reap(*pid, deadline, argv[0]);
  if (!code.ok()) return code.status();
  out.exit_code = *code;
  return out;
}

Result<int> LinuxCommandRunner::RunLogged(const std::vector<std::string>& argv,
                                          const std::string& log_path,
                                          std::chrono::milliseconds timeout) {
  int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (log_fd < 0) return Internal("cannot open " + log_path + ": " + strerror(errno));
  auto pid = Spawn(argv, log_fd);
  ::close(log_fd);
  if (!pid.ok()) return pid.status();
  return Reap(*pid, std::chrono::steady_clock::now() + timeout, argv[0]);
}

Result<std::string> RunChecked(CommandRunner& runner, const std::vector<std::string>& argv) {
  auto r = runner.Run(argv, kCheckedTimeout);
  if (!r.ok()) return r.status();
  if (r->exit_code != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
    return Internal("'" + cmd + "' failed (exit " + std::to_string(r->exit_code) +
                    "): " + r->output);
  }
  return std::move(r->output);
}

}  // namespace strato
