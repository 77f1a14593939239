#pragma once
// Test-only: a Transport answering from a function, recording what was sent.

#include <functional>
#include <utility>
#include <vector>

#include "cli/transport.h"

namespace strato::cli::testing {

class FakeTransport final : public Transport {
 public:
  using Handler = std::function<Result<HttpResponse>(const HttpRequest&)>;
  explicit FakeTransport(Handler handler) : handler_(std::move(handler)) {}

  Result<HttpResponse> Send(const HttpRequest& request) override {
    sent_.push_back(request);
    return handler_(request);
  }
  const std::vector<HttpRequest>& sent() const { return sent_; }

 private:
  Handler handler_;
  std::vector<HttpRequest> sent_;
};

}  // namespace strato::cli::testing
