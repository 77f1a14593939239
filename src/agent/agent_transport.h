#pragma once
// AgentTransport: how the controller reaches host agents. Messages are JSON text both
// ways. LocalAgentTransport delivers to in-process agents (the all-in-one daemon); an
// HTTP transport to remote `stratod agent` processes implements the same interface.
// Thread-safety: all methods are thread-safe.

#include <functional>
#include <map>
#include <memory>
#include <shared_mutex>
#include <string>

#include "agent/host_agent.h"

namespace strato {

class AgentTransport {
 public:
  using ReportHandler = std::function<void(const std::string& report_json)>;
  virtual ~AgentTransport() = default;
  // Fire-and-forget; Unavailable when the host has no reachable agent.
  virtual Status Send(const std::string& host_id, std::string message_json) = 0;
  virtual Result<std::string> Call(const std::string& host_id, const std::string& message_json) = 0;
};

class LocalAgentTransport final : public AgentTransport {
 public:
  void AddAgent(std::unique_ptr<HostAgent> agent);
  bool HasAgent(const std::string& host_id) const;
  Status Send(const std::string& host_id, std::string message_json) override;
  Result<std::string> Call(const std::string& host_id, const std::string& message_json) override;

 private:
  HostAgent* Find(const std::string& host_id) const;
  mutable std::shared_mutex mu_;
  std::map<std::string, std::unique_ptr<HostAgent>> agents_;  // GUARDED_BY(mu_)
};

}  // namespace strato
