#pragma once
// Status and Result<T>: expected failures as values.
//
// A Status carries a stable, AWS-style error code ("InvalidParameterValue",
// "IncorrectInstanceState", "InvalidInstanceID.NotFound", ...), a sentence for humans,
// and the HTTP status the native API answers with. Front ends map the code to their
// own wire format; the code string never changes once published.
// Thread-safety: value types, no shared state.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace strato {

class Status {
 public:
  Status() = default;  // OK
  Status(int http_status, std::string code, std::string message)
      : http_status_(http_status), code_(std::move(code)), message_(std::move(message)) {}

  bool ok() const { return http_status_ == 0; }
  int http_status() const { return ok() ? 200 : http_status_; }
  const std::string& code() const { return code_; }
  const std::string& message() const { return message_; }
  std::string ToString() const { return ok() ? "OK" : code_ + ": " + message_; }

 private:
  int http_status_ = 0;
  std::string code_;
  std::string message_;
};

inline Status OkStatus() { return Status(); }

// 400: the request itself is wrong; the message names the offending field.
inline Status InvalidParameter(std::string message) {
  return Status(400, "InvalidParameterValue", std::move(message));
}
inline Status MissingParameter(std::string message) {
  return Status(400, "MissingParameter", std::move(message));
}
inline Status BadRequest(std::string code, std::string message) {
  return Status(400, std::move(code), std::move(message));
}
// 401: no credentials at all.
inline Status Unauthenticated(std::string message) {
  return Status(401, "MissingAuthenticationToken", std::move(message));
}
// 403: credentials present but wrong, or not allowed.
inline Status Forbidden(std::string code, std::string message) {
  return Status(403, std::move(code), std::move(message));
}
// 404: does not exist, or belongs to another tenant (indistinguishable on purpose).
inline Status NotFound(std::string code, std::string message) {
  return Status(404, std::move(code), std::move(message));
}
// 409: valid request, but the resource is in a state that forbids it.
inline Status Conflict(std::string code, std::string message) {
  return Status(409, std::move(code), std::move(message));
}
inline Status IncorrectInstanceState(std::string message) {
  return Status(409, "IncorrectInstanceState", std::move(message));
}
inline Status PayloadTooLarge(std::string message) {
  return Status(413, "RequestEntityTooLarge", std::move(message));
}
// 500: a bug or an environment failure; never for bad input.
inline Status Internal(std::string message) {
  return Status(500, "InternalError", std::move(message));
}
inline Status Unavailable(std::string message) {
  return Status(503, "ServiceUnavailable", std::move(message));
}

// Result<T>: a T or the Status explaining why there is none.
template <typename T>
class Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) { assert(!std::get<Status>(v_).ok()); }  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace strato

// Early return on failure: STRATO_RETURN_IF_ERROR(DoThing());
#define STRATO_RETURN_IF_ERROR(expr)        \
  do {                                      \
    ::strato::Status strato_s_ = (expr);    \
    if (!strato_s_.ok()) return strato_s_;  \
  } while (0)

#define STRATO_CONCAT_INNER(a, b) a##b
#define STRATO_CONCAT(a, b) STRATO_CONCAT_INNER(a, b)
// STRATO_ASSIGN_OR_RETURN(auto x, MakeX());
#define STRATO_ASSIGN_OR_RETURN(lhs, expr) \
  STRATO_ASSIGN_OR_RETURN_IMPL(STRATO_CONCAT(strato_r_, __LINE__), lhs, expr)
#define STRATO_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()
