// stratod: runs the Strato cloud (all-in-one by default) until SIGTERM or SIGINT.
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>

#include "daemon/daemon.h"

int main(int argc, char** argv) {
  strato::DaemonOptions options = strato::ParseDaemonOptions(argc, argv);
  spdlog::set_level(spdlog::level::from_str(options.log_level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  if (!options.access_log) spdlog::set_level(std::max(spdlog::get_level(), spdlog::level::warn));

  // Block the stop signals before any thread starts, then wait for them synchronously.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  auto daemon = strato::Daemon::Create(options);
  if (!daemon.ok()) {
    std::fprintf(stderr, "stratod: %s\n", daemon.status().ToString().c_str());
    return 1;
  }
  strato::Status s = (*daemon)->Start();
  if (!s.ok()) {
    std::fprintf(stderr, "stratod: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("stratod: serving %s (data in %s; admin credentials in %s/credentials)\n",
              (*daemon)->endpoint().c_str(), options.data_dir.c_str(), options.data_dir.c_str());
  std::fflush(stdout);
  int sig = 0;
  sigwait(&stop_signals, &sig);
  spdlog::info("stratod: signal {} received, shutting down gracefully", sig);
  (*daemon)->Stop();
  spdlog::info("stratod: stopped");
  return 0;
}
