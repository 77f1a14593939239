#include "metadata/metadata_service.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "drivers/network/netns.h"
#include "drivers/network/network_plan.h"

namespace strato {

Result<UniqueFd> OpenListenerInNetns(const std::string& ns, int port) {
  UniqueFd out;
  Status s = RunInNetns(ns, [&]() -> Status {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return Internal(std::string("socket: ") + strerror(errno));
    UniqueFd owned(fd);
    int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    // Bind before the address is on lo (it is added right after): no ordering to get wrong.
    ::setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    ::inet_pton(AF_INET, kMetadataAddress, &addr.sin_addr);
    if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
      return Internal("bind " + std::string(kMetadataAddress) + " in " + ns + ": " + strerror(errno));
    // A boot storm opens many connections at once: a deep backlog rather than SYN retries.
    if (::listen(fd, 4096) != 0) return Internal(std::string("listen: ") + strerror(errno));
    out = std::move(owned);
    return OkStatus();
  });
  if (!s.ok()) return s;
  return out;
}

MetadataService::MetadataService(std::string host_id, CommandRunner& runner,
                                 MetadataServerOptions options)
    : host_id_(std::move(host_id)), runner_(runner), server_(registry_, signer_, options) {
  server_.Start();
}

MetadataService::~MetadataService() { server_.Stop(); }

Status MetadataService::SyncListeners(const std::map<std::string, std::vector<GuardedPort>>& vpcs) {
  std::lock_guard lock(mu_);
  Status first_error;
  std::set<std::string> serving = server_.Segments();
  for (const auto& [vpc, ports] : vpcs) {
    std::string ns = VpcNetnsName(host_id_, vpc);
    // A namespace deleted and made again is a new one: the old socket would hear nothing.
    struct stat st {};
    ino_t inode = ::stat(("/run/netns/" + ns).c_str(), &st) == 0 ? st.st_ino : 0;
    if (serving.count(vpc) && listener_netns_[vpc] != inode) serving.erase(vpc);
    // Idempotent: "replace" adds the address or leaves it.
    Status s = RunChecked(runner_, {"ip", "-n", ns, "addr", "replace",
                                    std::string(kMetadataAddress) + "/32", "dev", "lo"})
                   .status();
    if (s.ok()) s = ApplyNftInNetns(ns, RenderSourceGuard(ports));
    if (s.ok() && !serving.count(vpc)) {
      auto fd = OpenListenerInNetns(ns);
      if (fd.ok()) {
        server_.AddListener(vpc, std::move(fd).value());
        listener_netns_[vpc] = inode;
      } else {
        s = fd.status();
      }
    }
    if (!s.ok()) {
      spdlog::warn("metadata: {}: {}", ns, s.message());
      if (first_error.ok()) first_error = s;
    }
  }
  // A departed VPC's socket would keep its namespace alive: close it.
  for (const auto& vpc : serving) {
    if (vpcs.count(vpc)) continue;
    server_.RemoveListener(vpc);
    listener_netns_.erase(vpc);
  }
  return first_error;
}

Status MetadataService::Apply(const nlohmann::json& message) {
  std::vector<InstanceMetadata> upserts;
  try {
    for (const auto& j : message.value("upsert", nlohmann::json::array())) {
      STRATO_ASSIGN_OR_RETURN(auto m, InstanceMetadataFromJson(j));
      upserts.push_back(std::move(m));
    }
    if (message.value("replace", false)) {
      registry_.Replace(std::move(upserts));
      return OkStatus();
    }
    for (auto& m : upserts) registry_.Upsert(std::move(m));
    for (const auto& id : message.value("remove", nlohmann::json::array()))
      registry_.Remove(id.get<std::string>());
  } catch (const nlohmann::json::exception& e) {
    return InvalidParameter(std::string("bad metadata message: ") + e.what());
  }
  return OkStatus();
}

}  // namespace strato
