#pragma once
// NativeApi: the REST/JSON front end (docs/api.md). It authenticates (SigV4, service
// "strato"), parses each request into a typed command input, calls the command layer
// and renders the result. No business rules live here.
// Thread-safety: Handle() is called concurrently from HTTP worker threads.

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "api/router.h"
#include "commands/host_commands.h"
#include "commands/image_commands.h"
#include "commands/identity_commands.h"
#include "commands/instance_commands.h"
#include "commands/network_commands.h"
#include "commands/resource_commands.h"
#include "commands/volume_commands.h"
#include "common/metrics.h"
#include "http/http_types.h"

namespace strato::api {

struct NativeApiDeps {
  CommandEnv* env;
  InstanceCommands* instances;
  HostCommands* hosts;
  IdentityCommands* identity;
  ResourceCommands* resources;
  MetricsRegistry* metrics;
  // Fetches the console of a placed instance from its host agent.
  std::function<Result<std::string>(const Instance&)> console;
  NetworkCommands* networks = nullptr;
  VolumeCommands* volumes = nullptr;
  ImageCommands* images = nullptr;
};

class NativeApi {
 public:
  explicit NativeApi(NativeApiDeps deps);
  http::Response Handle(http::Request& request);
  // Whether the request goes to a route that reads its body as it arrives (uploads); the
  // HTTP server asks before reading the body (http::ServerOptions::stream_body).
  bool StreamsBody(const http::Request& request) const;

 private:
  using Authed = std::function<http::Response(http::Request&, const PathParams&, const Principal&)>;
  void Add(const char* method, const char* pattern, Authed handler);
  // A route whose handler reads request.body_stream: authenticated on the headers, with the
  // body checked against the signed x-amz-content-sha256 as it is read (DigestCheckedBody).
  void AddStreaming(const char* method, const char* pattern, Authed handler);
  // A route whose body streams only for the requests `streams` picks (POST /v1/images with
  // ?name= uploads a disk; without it the body is a small JSON record, read whole).
  void AddMaybeStreaming(const char* method, const char* pattern,
                         std::function<bool(const http::Request&)> streams, Authed handler);
  http::Response ServeStreaming(http::Request& req, const PathParams& params, const Authed& h);
  void AddInstanceRoutes();
  void AddHostRoutes();
  void AddIdentityRoutes();
  void AddResourceRoutes();
  void AddNetworkRoutes();
  void AddVolumeRoutes();
  void AddImageRoutes();  // native_image_routes.cc; replaces the record-only image routes
  void AddSecurityGroupRoutes();  // native_security_group_routes.cc
  void AddAddressRoutes();
  void AddMetadataOptionRoutes();

  struct ConditionalStream {
    std::string route;  // "POST /v1/images", as Router::Match::route names it
    std::function<bool(const http::Request&)> streams;
  };
  NativeApiDeps d_;
  Router router_;
  std::vector<ConditionalStream> conditional_streams_;
};

// Helpers shared by the route files.
http::Response JsonResponse(int status, const nlohmann::json& body);
http::Response ErrorResponse(const Status& s, const http::Request& r);

}  // namespace strato::api
