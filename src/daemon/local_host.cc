#include "daemon/local_host.h"

#include <unistd.h>

#include <algorithm>

namespace strato {

LocalResources DetectLocalResources(int64_t memory_reserve_mib) {
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  long pages = sysconf(_SC_PHYS_PAGES);
  long page_size = sysconf(_SC_PAGE_SIZE);
  int64_t mib = static_cast<int64_t>(pages) * page_size / (1024 * 1024);
  return LocalResources{static_cast<int>(std::max(1L, cpus)),
                        std::max<int64_t>(128, mib - memory_reserve_mib)};
}

}  // namespace strato
