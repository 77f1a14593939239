#include "api/native_api.h"

#include "api/digest_checked_body.h"
#include "api/request_auth.h"
#include "common/sigv4.h"
#include "core/instance_types.h"

namespace strato::api {

using nlohmann::json;

http::Response JsonResponse(int status, const json& body) {
  http::Response r;
  r.status = status;
  if (status != 204) r.body = body.dump();
  return r;
}

http::Response ErrorResponse(const Status& s, const http::Request& r) {
  return http::MakeErrorResponse(s.http_status(), s.code(), s.message(), r.request_id);
}

NativeApi::NativeApi(NativeApiDeps deps) : d_(std::move(deps)) {
  router_.Add("GET", "/healthz", [](http::Request&, const PathParams&) {
    return JsonResponse(200, {{"status", "ok"}});
  });
  router_.Add("GET", "/metrics", [this](http::Request&, const PathParams&) {
    http::Response r;
    r.content_type = "text/plain; version=0.0.4";
    r.body = d_.metrics->RenderPrometheus();
    return r;
  });
  Add("GET", "/v1/instance-types", [](http::Request&, const PathParams&, const Principal&) {
    json types = json::array();
    for (const auto& t : InstanceTypeCatalog()) {
      types.push_back({{"name", t.name}, {"vcpus", t.vcpus}, {"memory_mib", t.memory_mib},
                       {"family", t.family()}, {"machine", t.machine}});
    }
    return JsonResponse(200, {{"instance_types", types}});
  });
  Add("GET", "/v1/regions", [this](http::Request&, const PathParams&, const Principal&) {
    return JsonResponse(200, {{"region", d_.env->region}, {"zones", d_.env->zones}});
  });
  AddInstanceRoutes();
  AddHostRoutes();
  AddIdentityRoutes();
  AddResourceRoutes();
  AddNetworkRoutes();
  AddSecurityGroupRoutes();
  AddAddressRoutes();
  AddMetadataOptionRoutes();
  if (d_.volumes) AddVolumeRoutes();
  if (d_.images) AddImageRoutes();
}

void NativeApi::Add(const char* method, const char* pattern, Authed handler) {
  router_.Add(method, pattern,
              [this, h = std::move(handler)](http::Request& req, const PathParams& params) {
                auto principal = AuthenticateRequest(*d_.identity, req, "strato");
                if (!principal.ok()) return ErrorResponse(principal.status(), req);
                return h(req, params, *principal);
              });
}

void NativeApi::AddStreaming(const char* method, const char* pattern, Authed handler) {
  router_.Add(
      method, pattern,
      [this, h = std::move(handler)](http::Request& req, const PathParams& params) {
        return ServeStreaming(req, params, h);
      },
      /*streaming=*/true);
}

void NativeApi::AddMaybeStreaming(const char* method, const char* pattern,
                                  std::function<bool(const http::Request&)> streams,
                                  Authed handler) {
  conditional_streams_.push_back({std::string(method) + " " + pattern, std::move(streams)});
  router_.Add(method, pattern,
              [this, h = std::move(handler)](http::Request& req, const PathParams& params) {
                if (req.body_stream != nullptr) return ServeStreaming(req, params, h);
                auto principal = AuthenticateRequest(*d_.identity, req, "strato");
                if (!principal.ok()) return ErrorResponse(principal.status(), req);
                return h(req, params, *principal);
              });
}

http::Response NativeApi::ServeStreaming(http::Request& req, const PathParams& params,
                                         const Authed& h) {
  // The header must state the payload hash (or UNSIGNED-PAYLOAD): the body is not
  // here yet to compute it from.
  const std::string* declared = req.Header("x-amz-content-sha256");
  if (declared == nullptr || req.body_stream == nullptr) {
    return ErrorResponse(
        BadRequest("MissingParameter",
                   "An upload must carry x-amz-content-sha256 (the body's SHA-256 in hex, "
                   "or UNSIGNED-PAYLOAD)."),
        req);
  }
  sigv4::HttpRequestView view;
  view.method = req.method;
  view.raw_path = req.path;
  view.raw_query = req.raw_query;
  for (const auto& [k, v] : req.headers) view.headers.emplace_back(k, v);
  view.payload_hash = *declared;
  auto principal = d_.identity->Authenticate(view, "strato");
  if (!principal.ok()) return ErrorResponse(principal.status(), req);
  DigestCheckedBody checked(*req.body_stream, *declared == "UNSIGNED-PAYLOAD" ? "" : *declared);
  http::BodyStream* raw = req.body_stream;
  req.body_stream = &checked;
  http::Response r = h(req, params, *principal);
  req.body_stream = raw;
  return r;
}

bool NativeApi::StreamsBody(const http::Request& request) const {
  Router::Match m = router_.Find(request.method, request.path);
  if (m.streaming) return true;
  for (const auto& c : conditional_streams_) {
    if (m.handler && c.route == m.route && c.streams(request)) return true;
  }
  return false;
}

http::Response NativeApi::Handle(http::Request& request) {
  Router::Match m = router_.Find(request.method, request.path);
  http::Response r;
  if (!m.handler) {
    r = m.method_mismatch
            ? ErrorResponse(Status(405, "MethodNotAllowed",
                                   "The method " + request.method + " is not allowed on " +
                                       request.path + "."),
                            request)
            : ErrorResponse(NotFound("UnknownRoute", "No API route " + request.method + " " +
                                                         request.path + "."),
                            request);
    r.route = "unmatched";
    return r;
  }
  r = (*m.handler)(request, m.params);
  r.route = m.route;
  return r;
}

}  // namespace strato::api
