#pragma once
// The strato CLI's process exit codes and the CLI-local Status values that select them.
//
// API errors keep the server's code and HTTP status; the three CLI-local failures below carry
// reserved codes (prefix "Cli") that no server ever sends, so ExitCodeFor() can tell them apart.
// Thread-safety: pure functions.

#include <string>

#include "common/status.h"

namespace strato::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 2;       // bad command line, bad flag value, bad local config
inline constexpr int kExitApiError = 3;    // the API answered 4xx/5xx (or a wait failed)
inline constexpr int kExitTimeout = 4;     // --wait ran out of time
inline constexpr int kExitConnection = 5;  // the endpoint could not be reached

// The help footer that documents the codes above.
extern const char kExitCodesHelp[];

Status UsageError(std::string message);
Status WaitTimeout(std::string message);
Status ConnectionFailure(std::string message);

// Re-labels a local validation failure (e.g. from ParseMemoryMib) as a usage error.
Status AsUsageError(const Status& status);

int ExitCodeFor(const Status& status);

// "error: <code>: <message>" for API errors, "error: <message>" for CLI-local ones.
std::string FormatError(const Status& status);

}  // namespace strato::cli
