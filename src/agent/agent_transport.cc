#include "agent/agent_transport.h"

namespace strato {

void LocalAgentTransport::AddAgent(std::unique_ptr<HostAgent> agent) {
  std::unique_lock lock(mu_);
  std::string id = agent->host_id();
  agents_[id] = std::move(agent);
}

HostAgent* LocalAgentTransport::Find(const std::string& host_id) const {
  std::shared_lock lock(mu_);
  auto it = agents_.find(host_id);
  return it == agents_.end() ? nullptr : it->second.get();
}

bool LocalAgentTransport::HasAgent(const std::string& host_id) const {
  return Find(host_id) != nullptr;
}

Status LocalAgentTransport::Send(const std::string& host_id, std::string message_json) {
  HostAgent* agent = Find(host_id);
  if (!agent) return Unavailable("No agent is connected for host " + host_id + ".");
  agent->Deliver(std::move(message_json));
  return OkStatus();
}

Result<std::string> LocalAgentTransport::Call(const std::string& host_id,
                                              const std::string& message_json) {
  HostAgent* agent = Find(host_id);
  if (!agent) return Unavailable("No agent is connected for host " + host_id + ".");
  return agent->Call(message_json);
}

}  // namespace strato
