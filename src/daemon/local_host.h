#pragma once
// What the local machine offers as a host: its cores and memory (from sysconf) minus a
// reserve for the OS and stratod itself.

#include <cstdint>

namespace strato {

struct LocalResources {
  int vcpus;
  int64_t memory_mib;
};
LocalResources DetectLocalResources(int64_t memory_reserve_mib);

}  // namespace strato
