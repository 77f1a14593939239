#include "cli/exit_codes.h"

#include <utility>

namespace strato::cli {
namespace {

constexpr char kUsageCode[] = "CliUsage";
constexpr char kTimeoutCode[] = "CliWaitTimeout";
constexpr char kConnectionCode[] = "CliConnectionFailure";

bool IsLocal(const Status& status) {
  return status.code() == kUsageCode || status.code() == kTimeoutCode ||
         status.code() == kConnectionCode;
}

}  // namespace

const char kExitCodesHelp[] =
    "Exit codes:\n"
    "  0  success\n"
    "  2  usage error (unknown command or flag, bad flag value, missing credentials)\n"
    "  3  API error (the server answered 4xx/5xx; printed as 'error: <code>: <message>')\n"
    "  4  timed out waiting (--wait, see --timeout)\n"
    "  5  connection failure (the endpoint could not be reached)";

// The HTTP statuses below are never sent anywhere; they only keep the Status non-OK.
Status UsageError(std::string message) { return Status(400, kUsageCode, std::move(message)); }
Status WaitTimeout(std::string message) { return Status(408, kTimeoutCode, std::move(message)); }
Status ConnectionFailure(std::string message) {
  return Status(503, kConnectionCode, std::move(message));
}

Status AsUsageError(const Status& status) {
  if (status.ok() || IsLocal(status)) return status;
  return UsageError(status.message());
}

int ExitCodeFor(const Status& status) {
  if (status.ok()) return kExitOk;
  if (status.code() == kUsageCode) return kExitUsage;
  if (status.code() == kTimeoutCode) return kExitTimeout;
  if (status.code() == kConnectionCode) return kExitConnection;
  return kExitApiError;
}

std::string FormatError(const Status& status) {
  if (IsLocal(status)) return "error: " + status.message();
  return "error: " + status.code() + ": " + status.message();
}

}  // namespace strato::cli
