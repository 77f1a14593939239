#pragma once
// MetadataServer: the HTTP side of the metadata service. It serves listening sockets it is
// handed (one per VPC segment, opened inside that segment's namespace), identifies each
// caller by (segment, peer address) through the registry, answers with
// HandleMetadataRequest, and sets each response's IP TTL to the instance's hop limit.
//
// Lifecycle: Start() launches the I/O threads; Stop() closes the listeners and every
// connection and joins (idempotent; the destructor calls it).
// Thread-safety: AddListener/RemoveListener/Stop may be called from any thread.
// The registry and signer must outlive the server.

#include <memory>
#include <set>
#include <string>

#include "drivers/network/network_driver.h"
#include "metadata/metadata_registry.h"
#include "metadata/metadata_token.h"

namespace strato {

struct MetadataServerOptions {
  int io_threads = 2;
  // A request line and headers larger than this are refused (a metadata request is tiny).
  size_t max_header_bytes = 8 << 10;
  int idle_timeout_s = 30;
};

class MetadataServer {
 public:
  MetadataServer(MetadataRegistry& registry, const MetadataTokenSigner& signer,
                 MetadataServerOptions options = {});
  ~MetadataServer();
  MetadataServer(const MetadataServer&) = delete;
  MetadataServer& operator=(const MetadataServer&) = delete;

  void Start();
  void Stop();

  // Serves `listen_fd` (a listening TCP socket; ownership passes) as segment `segment`
  // (a VPC id), replacing any listener of that segment.
  void AddListener(const std::string& segment, UniqueFd listen_fd);
  void RemoveListener(const std::string& segment);
  std::set<std::string> Segments() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace strato
