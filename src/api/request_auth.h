#pragma once
// The one SigV4 entry point of every HTTP front end: builds the signed view of a request
// (the payload hash is computed here from the body; a declared x-amz-content-sha256 must
// match it, or be UNSIGNED-PAYLOAD) and hands it to IdentityCommands::Authenticate.
// Also tells front ends apart by the credential scope's service name.
// Thread-safety: as IdentityCommands (thread-safe).

#include <string>
#include <string_view>

#include "commands/identity_commands.h"
#include "http/http_types.h"

namespace strato::api {

// Errors: those of IdentityCommands::Authenticate, and SignatureDoesNotMatch (403) when
// x-amz-content-sha256 does not match the body.
Result<Principal> AuthenticateRequest(IdentityCommands& identity, const http::Request& req,
                                      std::string_view service);

// The service named in the request's SigV4 credential scope ("strato", "ec2", "s3"), from
// the Authorization header or a presigned X-Amz-Credential; "" when unsigned or malformed.
std::string SignedService(const http::Request& req);

}  // namespace strato::api
