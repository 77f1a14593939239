#pragma once
// StorageAgent: the only code that touches block storage. It receives storage ops as JSON
// (storage_messages.h), runs them through its StorageDriver on its executor thread and
// reports each outcome back as JSON. Ops are idempotent, so a repeat after a restart is
// harmless.
//
// Ownership: owns the driver; borrows the executor, which must outlive the agent.
// Thread-safety: Deliver() is thread-safe; driver calls run on the executor.

#include <functional>
#include <memory>
#include <string>

#include "agent/serial_executor.h"
#include "drivers/storage/storage_driver.h"

namespace strato {

class StorageAgent {
 public:
  using ReportFn = std::function<void(const std::string& report_json)>;

  StorageAgent(std::unique_ptr<StorageDriver> driver, SerialExecutor& executor, ReportFn report);

  // Fire-and-forget. Malformed messages are logged and dropped.
  void Deliver(std::string message_json);
  StorageDriver& driver() { return *driver_; }

 private:
  void Handle(const std::string& message_json);

  std::unique_ptr<StorageDriver> driver_;
  SerialExecutor& executor_;
  ReportFn report_;
};

}  // namespace strato
