#pragma once
// Identifiers and credentials in the shapes AWS clients expect.
//
// Resource ids look like EC2's ("i-0a1b2c3d4e5f60718": prefix, dash, 17 lowercase hex
// digits = 68 random bits), access keys like IAM's ("AKIA" + 16 base32 characters), secret
// keys are 40 characters of base64's alphabet. All randomness is libsodium's CSPRNG, so ids
// are unguessable as well as unique; callers still treat a collision as an insert conflict.
// Thread-safety: every function may be called concurrently.

#include <cstddef>
#include <string>
#include <string_view>

namespace strato {

inline constexpr size_t kResourceIdHexDigits = 17;

// prefix + "-" + 17 lowercase hex digits, e.g. NewResourceId("vol") -> "vol-04c1e2...".
std::string NewResourceId(std::string_view prefix);

// True iff `id` is exactly prefix + "-" + 17 lowercase hex digits.
bool IsResourceId(std::string_view id, std::string_view prefix);

// "AKIA" + 16 characters of [A-Z2-7]: 20 characters.
std::string NewAccessKeyId();
bool IsAccessKeyId(std::string_view id);

// 40 characters of [A-Za-z0-9+/].
std::string NewSecretAccessKey();

// Random (version 4) UUID in lowercase 8-4-4-4-12 form: 36 characters.
std::string NewRequestId();

}  // namespace strato
