#pragma once
// Host commands (cloud admin only): register hosts (one, or sim hosts in bulk), list,
// show, enable, disable. A disabled host keeps its instances and takes no new ones.
// Errors: UnauthorizedOperation, InvalidParameterValue, InvalidHostID.NotFound,
// HostAlreadyExists. Thread-safety: stateless.

#include <optional>
#include <string>
#include <vector>

#include "commands/command_env.h"

namespace strato {

struct AddHostInput {
  std::string name;
  std::optional<std::string> zone;
  std::string driver = "sim";
  int vcpus = 0;
  int64_t memory_mib = 0;
  std::optional<double> cpu_ratio;
};

struct AddSimHostsInput {
  int count = 1;
  int vcpus = 0;
  int64_t memory_mib = 0;
  std::optional<std::string> zone;
  std::string name_prefix = "sim";
  std::optional<double> cpu_ratio;
};

struct HostPage {
  std::vector<Host> hosts;
  std::string next_token;
};

class HostCommands {
 public:
  explicit HostCommands(CommandEnv& env) : env_(env) {}
  Result<Host> Add(const Principal& p, const AddHostInput& in);
  Result<std::vector<std::string>> AddSim(const Principal& p, const AddSimHostsInput& in);
  Result<HostPage> List(const Principal& p, const HostFilter& filter, int page_size,
                        const std::string& next_token);
  Result<Host> Get(const Principal& p, const std::string& id);
  Result<Host> SetEnabled(const Principal& p, const std::string& id, bool enabled);

 private:
  Status ValidateShape(int vcpus, int64_t memory_mib, std::optional<double> ratio,
                       const std::optional<std::string>& zone) const;
  CommandEnv& env_;
};

}  // namespace strato
