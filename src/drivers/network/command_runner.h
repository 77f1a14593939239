#pragma once
// CommandRunner: the network driver's only way to run programs (ip, dnsmasq, sysctl).
// An interface so tests can record or fail commands; LinuxCommandRunner is the real one.
// Programs run without a shell, with no inherited descriptors beyond stdio.
// Thread-safety: LinuxCommandRunner may be used from many threads at once.

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"

namespace strato {

struct CommandOutput {
  int exit_code = 0;
  std::string output;  // stdout and stderr interleaved
};

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  // Runs argv to completion and captures its output. An error only when it could not be
  // run or outlived `timeout` (then it is killed); a non-zero exit is a value.
  virtual Result<CommandOutput> Run(const std::vector<std::string>& argv,
                                    std::chrono::milliseconds timeout) = 0;
  // Runs argv with stdout/stderr appended to `log_path`, for programs that daemonize
  // (the foreground part must exit within `timeout`). Returns the exit code.
  virtual Result<int> RunLogged(const std::vector<std::string>& argv, const std::string& log_path,
                                std::chrono::milliseconds timeout) = 0;
};

class LinuxCommandRunner : public CommandRunner {
 public:
  Result<CommandOutput> Run(const std::vector<std::string>& argv,
                            std::chrono::milliseconds timeout) override;
  Result<int> RunLogged(const std::vector<std::string>& argv, const std::string& log_path,
                        std::chrono::milliseconds timeout) override;
};

// Runs argv and turns a non-zero exit into InternalError carrying the command and output.
Result<std::string> RunChecked(CommandRunner& runner, const std::vector<std::string>& argv);

}  // namespace strato
