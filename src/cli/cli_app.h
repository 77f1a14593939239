#pragma once
// The strato command line as a function: argv in, exit code out (see exit_codes.h).
//
// RunCli parses the noun-verb command line, resolves configuration (client_config.h), opens a
// transport, runs the selected command and prints results to `out`, errors ("error: ...") and
// the --wait progress line to `err`. It never throws and never calls exit().

#include <chrono>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "cli/client_config.h"
#include "cli/instance_waiter.h"
#include "cli/transport.h"

namespace strato::cli {

// Everything RunCli takes from the outside world, so tests can replace any of it.
struct CliEnvironment {
  ConfigSources sources;
  // Opens the transport once configuration is known; default: a CurlTransport.
  std::function<Result<std::unique_ptr<Transport>>(const ClientConfig&)> make_transport;
  Clock* clock = nullptr;  // not owned; nullptr: the system clock
  std::chrono::milliseconds poll_interval{std::chrono::seconds(1)};
  bool stderr_is_tty = false;  // the progress line is drawn only on a terminal
};

// The real process: environment variables, files, libcurl, isatty(2).
CliEnvironment SystemCliEnvironment();

// args[0] is the program name, as in argv.
int RunCli(const std::vector<std::string>& args, const CliEnvironment& env, std::ostream& out,
           std::ostream& err);

}  // namespace strato::cli
