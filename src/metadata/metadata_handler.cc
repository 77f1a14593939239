#include "metadata/metadata_handler.h"

#include <charconv>

#include "metadata/metadata_paths.h"

namespace strato {
namespace {

MetadataResponse Error(int status, const char* text, int ttl) {
  MetadataResponse r;
  r.status = status;
  r.body = text;
  r.ip_ttl = ttl;
  return r;
}

std::optional<int64_t> ParseTtl(const std::optional<std::string>& text) {
  if (!text || text->empty() || text->size() > 6) return std::nullopt;
  int64_t v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size()) return std::nullopt;
  if (v < kMinTokenTtlSeconds || v > kMaxTokenTtlSeconds) return std::nullopt;
  return v;
}

}  // namespace

MetadataResponse HandleMetadataRequest(const InstanceMetadata* m, const MetadataRequest& r,
                                       const MetadataTokenSigner& signer, int64_t now_s) {
  if (m == nullptr) return Error(404, "Not Found", 1);
  const int ttl = m->options.hop_limit;
  if (m->options.http_endpoint != "enabled") return Error(403, "Forbidden", ttl);

  if (r.path == "/latest/api/token") {
    if (r.method != "PUT") return Error(405, "Method Not Allowed", ttl);
    // A proxy on the instance forwarding for someone else must not obtain a session.
    if (r.forwarded) return Error(403, "Forbidden", ttl);
    auto seconds = ParseTtl(r.token_ttl);
    if (!seconds) return Error(400, "Bad Request", ttl);
    MetadataResponse out;
    out.body = signer.Issue(m->instance_id, now_s, *seconds);
    out.token_ttl = std::to_string(*seconds);
    out.ip_ttl = ttl;
    return out;
  }
  if (r.token) {
    if (!signer.Verify(*r.token, m->instance_id, now_s)) return Error(401, "Unauthorized", ttl);
  } else if (m->options.http_tokens == "required") {
    return Error(401, "Unauthorized", ttl);
  }
  if (r.method != "GET" && r.method != "HEAD") return Error(405, "Method Not Allowed", ttl);
  auto body = RenderMetadataPath(*m, r.path);
  if (!body) return Error(404, "Not Found", ttl);
  MetadataResponse out;
  out.body = std::move(*body);
  if (r.path == "/latest/dynamic/instance-identity/document") out.content_type = "application/json";
  if (r.path == "/latest/user-data") out.content_type = "application/octet-stream";
  out.ip_ttl = ttl;
  return out;
}

}  // namespace strato
