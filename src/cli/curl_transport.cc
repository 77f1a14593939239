#include "cli/curl_transport.h"

#include <strings.h>

#include <cstdio>
#include <mutex>
#include <string_view>

#include "cli/exit_codes.h"
#include "common/digest.h"

namespace strato::cli {
namespace {

constexpr long kConnectTimeoutSeconds = 10;

size_t AppendBody(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

size_t CaptureRequestId(char* data, size_t size, size_t count, void* user) {
  constexpr std::string_view kName = "x-request-id:";
  std::string_view line(data, size * count);
  if (line.size() > kName.size() && strncasecmp(line.data(), kName.data(), kName.size()) == 0) {
    line.remove_prefix(kName.size());
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.remove_suffix(1);
    static_cast<HttpResponse*>(user)->request_id = std::string(line);
  }
  return size * count;
}

struct FileCloser {
  void operator()(FILE* f) const { std::fclose(f); }
};

struct SlistDeleter {
  void operator()(curl_slist* list) const { curl_slist_free_all(list); }
};

}  // namespace

Result<std::unique_ptr<CurlTransport>> CurlTransport::Create(const ClientConfig& config,
                                                             std::chrono::seconds request_timeout) {
  static std::once_flag once;
  static CURLcode init_result = CURLE_OK;
  std::call_once(once, [] { init_result = curl_global_init(CURL_GLOBAL_DEFAULT); });
  if (init_result != CURLE_OK) {
    return ConnectionFailure(std::string("cannot initialise libcurl: ") +
                             curl_easy_strerror(init_result));
  }
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return ConnectionFailure("cannot initialise libcurl");
  return std::unique_ptr<CurlTransport>(new CurlTransport(curl, config, request_timeout));
}

CurlTransport::CurlTransport(CURL* curl, const ClientConfig& config,
                             std::chrono::seconds request_timeout)
    : curl_(curl),
      config_(config),
      sigv4_param_("aws:amz:" + config.region + ":strato"),
      request_timeout_(request_timeout) {}

CurlTransport::~CurlTransport() { curl_easy_cleanup(curl_); }

void CurlTransport::Configure(const HttpRequest& request, curl_slist* headers,
                              HttpResponse& response) {
  const std::string url = config_.endpoint + request.target;
  curl_easy_setopt(curl_, CURLOPT_URL, url.c_str());  // curl copies string options
  curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(curl_, CURLOPT_NOPROXY, "127.0.0.1,localhost,::1");
  curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutSeconds);
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT, static_cast<long>(request_timeout_.count()));
  curl_easy_setopt(curl_, CURLOPT_AWS_SIGV4, sigv4_param_.c_str());
  // USERNAME/PASSWORD rather than USERPWD="AKID:SECRET": same credentials, but a ':' inside
  // the secret cannot be mistaken for the separator.
  curl_easy_setopt(curl_, CURLOPT_USERNAME, config_.access_key_id.c_str());
  curl_easy_setopt(curl_, CURLOPT_PASSWORD, config_.secret_access_key.c_str());
  curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, AppendBody);
  curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl_, CURLOPT_HEADERFUNCTION, CaptureRequestId);
  curl_easy_setopt(curl_, CURLOPT_HEADERDATA, &response);
  if (request.method == "GET") {
    curl_easy_setopt(curl_, CURLOPT_HTTPGET, 1L);
    return;
  }
  if (request.method != "POST") {
    curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
  if (request.body_file.empty() && (request.method == "POST" || !request.body.empty())) {
    // POSTFIELDS is not copied: `request` outlives the transfer. SigV4 hashes these bytes.
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDS, request.body.data());
    curl_easy_setopt(curl_, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  }
}

void CurlTransport::StreamFile(FILE* file) {
  std::fseek(file, 0, SEEK_END);
  const curl_off_t size = std::ftell(file);
  std::rewind(file);
  curl_easy_setopt(curl_, CURLOPT_UPLOAD, 1L);
  curl_easy_setopt(curl_, CURLOPT_CUSTOMREQUEST, "POST");  // UPLOAD alone would PUT
  curl_easy_setopt(curl_, CURLOPT_READDATA, file);         // default read callback: fread
  curl_easy_setopt(curl_, CURLOPT_INFILESIZE_LARGE, size);
  curl_easy_setopt(curl_, CURLOPT_TIMEOUT, 0L);  // as long as the bytes keep flowing
}

Result<HttpResponse> CurlTransport::Send(const HttpRequest& request) {
  // reset() drops the previous request's options but keeps live connections.
  curl_easy_reset(curl_);
  std::unique_ptr<curl_slist, SlistDeleter> headers;
  const auto add = [&headers](const std::string& line) {
    curl_slist* grown = curl_slist_append(headers.get(), line.c_str());
    if (grown != nullptr) {
      headers.release();
      headers.reset(grown);
    }
  };
  add("Accept: application/json");
  std::unique_ptr<FILE, FileCloser> upload;
  if (!request.body_file.empty()) {
    upload.reset(std::fopen(request.body_file.c_str(), "rb"));
    if (!upload) return InvalidParameter("cannot open " + request.body_file);
    add("x-amz-content-sha256: UNSIGNED-PAYLOAD");
    add("Content-Type: application/octet-stream");
  } else {
    add("x-amz-content-sha256: " + Sha256Hex(request.body));
    if (!request.body.empty()) add("Content-Type: application/json");
  }

  HttpResponse response;
  char error[CURL_ERROR_SIZE] = "";
  Configure(request, headers.get(), response);
  if (upload) StreamFile(upload.get());
  curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error);
  const CURLcode rc = curl_easy_perform(curl_);
  curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, nullptr);
  if (rc != CURLE_OK) {
    return ConnectionFailure("cannot reach endpoint " + config_.endpoint + ": " +
                             (error[0] != '\0' ? error : curl_easy_strerror(rc)));
  }
  long status = 0;
  curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

}  // namespace strato::cli
