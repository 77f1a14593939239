#pragma once
// Daemon: wires the all-in-one cloud — store, commands, controller, host agents, HTTP —
// and owns their lifecycle. Start order follows the data flow; Stop runs it backwards:
// stop accepting requests (letting in-flight ones finish), stop the controller, flush and
// close the store.
// Thread-safety: Start/Stop from one thread.

#include <memory>
#include <string>

#include "daemon/daemon_options.h"

namespace strato {

class Daemon {
 public:
  static Result<std::unique_ptr<Daemon>> Create(const DaemonOptions& options);
  ~Daemon();
  Status Start();
  void Stop();
  std::string endpoint() const;

  struct Parts;  // defined in daemon.cc

 private:
  explicit Daemon(std::unique_ptr<Parts> parts);
  std::unique_ptr<Parts> parts_;
};

}  // namespace strato
