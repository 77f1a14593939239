#pragma once
// RunCommand: runs a program (no shell) and captures what it prints. The storage driver's
// only way to touch processes, so tests can see exactly which commands ran.
// Thread-safety: reentrant.

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"

namespace strato {

struct CommandOutput {
  int exit_code = 0;
  std::string out;  // stdout
  std::string err;  // stderr
};

// argv[0] is looked up in PATH. Errors only when it could not run or outlived `timeout`
// (then it is killed); a non-zero exit is a normal result.
Result<CommandOutput> RunCommand(const std::vector<std::string>& argv,
                                 std::chrono::milliseconds timeout);

}  // namespace strato
