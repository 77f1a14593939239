#pragma once
// Cryptographically secure randomness from libsodium.
//
// Every entry point initialises libsodium exactly once (thread-safe), so callers never
// need to remember sodium_init(). Thread-safety: all functions may be called concurrently.

#include <cstddef>
#include <string>
#include <string_view>

namespace strato {

// Calls sodium_init() once per process; aborts if libsodium cannot start (no entropy
// source), because nothing secure can be done without it.
void EnsureSodiumInitialized();

void RandomBytes(void* out, size_t size);

// `length` characters drawn uniformly from `alphabet` (1..256 distinct symbols).
std::string RandomString(size_t length, std::string_view alphabet);

}  // namespace strato
