#pragma once
// RunCaptured: runs a tool (qemu-img, ...) without a shell and returns its exit code and
// output. For short-lived tools whose output is small; stdin is /dev/null.
// Thread-safety: safe to call from any thread (fork + exec, no shared state).

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"

namespace strato {

struct ProcessResult {
  int exit_code = -1;
  std::string output;  // stdout followed by nothing else; see stderr
  std::string error;   // stderr
};

// argv[0] is looked up in PATH. Errors: Internal when it cannot be started or outlives
// `timeout` (it is then killed). A non-zero exit is a result, not an error.
Result<ProcessResult> RunCaptured(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout);

}  // namespace strato
