#include "common/random.h"

#include <sodium.h>

#include <cstdint>
#include <cstdlib>

namespace strato {

void EnsureSodiumInitialized() {
  // A function-local static gives a thread-safe once; sodium_init() returns 1 when some
  // other library already initialised it, which is fine.
  static const int kResult = sodium_init();
  if (kResult < 0) std::abort();
}

void RandomBytes(void* out, size_t size) {
  EnsureSodiumInitialized();
  randombytes_buf(out, size);
}

std::string RandomString(size_t length, std::string_view alphabet) {
  EnsureSodiumInitialized();
  std::string out(length, '\0');
  const auto n = static_cast<uint32_t>(alphabet.size());
  for (auto& c : out) c = alphabet[randombytes_uniform(n)];
  return out;
}

}  // namespace strato
