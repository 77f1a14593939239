#include "agent/http_agent_transport.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "common/hex.h"
#include "common/random.h"

namespace strato {

namespace {

size_t AppendBody(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

bool ConstantTimeEquals(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

}  // namespace

HttpPoster::HttpPoster(std::string base_url, std::string token)
    : base_url_(std::move(base_url)),
      auth_header_("Authorization: Bearer " + token),
      curl_(curl_easy_init()) {}

HttpPoster::~HttpPoster() { curl_easy_cleanup(curl_); }

Result<std::string> HttpPoster::Post(const std::string& path, const std::string& body) {
  std::lock_guard lock(mu_);
  std::string url = base_url_ + path;
  std::string response;
  curl_slist* headers = nullptr;
  headers = curl_slist_append(headers, auth_header_.c_str());
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, "Expect:");
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl_, CURLOPT_POST, 1L);
  curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, body.data());
  curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &response);
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  CURLcode rc = curl_easy_perform(curl_);
  long status = 0;
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    return Unavailable("agent endpoint " + url + ": " + curl_easy_strerror(rc));
  }
  if (status < 200 || status >= 300) {
    return Unavailable("agent endpoint " + url + " answered " + std::to_string(status) + ": " +
                       response.substr(0, 200));
  }
  return response;
}

Status HttpAgentTransport::Send(const std::string& host_id, std::string message_json) {
  return poster_.Post("/agent/v1/hosts/" + host_id + "/messages", message_json).status();
}

Result<std::string> HttpAgentTransport::Call(const std::string& host_id,
                                             const std::string& message_json) {
  return poster_.Post("/agent/v1/hosts/" + host_id + "/calls", message_json);
}

Status RoutingAgentTransport::Send(const std::string& host_id, std::string message_json) {
  return (is_http_host_(host_id) ? http_ : local_).Send(host_id, std::move(message_json));
}

Result<std::string> RoutingAgentTransport::Call(const std::string& host_id,
                                                const std::string& message_json) {
  return (is_http_host_(host_id) ? http_ : local_).Call(host_id, message_json);
}

http::Response AgentHttpService::Handle(http::Request& req) {
  auto error = [&](int status, const char* code, std::string message) {
    http::Response r = http::MakeErrorResponse(status, code, message, req.request_id);
    r.route = "agent";
    return r;
  };
  const std::string* auth = req.Header("authorization");
  if (!auth || !ConstantTimeEquals(*auth, "Bearer " + token_)) {
    return error(403, "AccessDenied", "The agent token is missing or wrong.");
  }
  if (req.method != "POST") return error(405, "MethodNotAllowed", "Agent routes take POST.");
  http::Response ok;
  ok.route = "agent";
  if (req.path == "/agent/v1/reports") {
    on_report_(req.body);
    ok.status = 202;
    return ok;
  }
  constexpr std::string_view kPrefix = "/agent/v1/hosts/";
  std::string_view path = req.path;
  if (path.substr(0, kPrefix.size()) != kPrefix) return error(404, "UnknownRoute", "No such route.");
  path.remove_prefix(kPrefix.size());
  auto slash = path.find('/');
  if (slash == std::string_view::npos) return error(404, "UnknownRoute", "No such route.");
  std::string host_id(path.substr(0, slash));
  std::string_view verb = path.substr(slash + 1);
  if (verb == "messages") {
    Status s = agents_.Send(host_id, req.body);
    if (!s.ok()) return error(404, "UnknownHost", s.message());
    ok.status = 202;
    return ok;
  }
  if (verb == "calls") {
    auto reply = agents_.Call(host_id, req.body);
    if (!reply.ok()) return error(reply.status().http_status() == 503 ? 404 : 400, "CallFailed",
                                  reply.status().message());
    ok.body = *reply;
    return ok;
  }
  return error(404, "UnknownRoute", "No such route.");
}

Result<std::string> LoadOrCreateAgentToken(const std::string& path) {
  {
    std::ifstream in(path);
    std::string token;
    if (in >> token && token.size() == 64) return token;
  }
  unsigned char bytes[32];
  RandomBytes(bytes, sizeof bytes);
  std::string token = HexEncode(std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return Internal("cannot write " + tmp);
  bool ok = ::write(fd, token.data(), token.size()) == static_cast<ssize_t>(token.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) return Internal("cannot write " + path);
  return token;
}

}  // namespace strato
