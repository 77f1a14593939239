#pragma once
// Reading a command's paged List for a Describe action: one page of `max` items when the
// caller gave MaxResults, else every page (EC2 answers everything at once without it).
// Thread-safety: as the list function.

#include <cstdint>
#include <iterator>
#include <optional>
#include <string>

#include "commands/volume_commands.h"

namespace strato::api::ec2 {

// `list`: (const ListInput&) -> Result<ListPage<T>>.
template <typename T, typename ListFn>
Result<ListPage<T>> CollectPages(ListFn list, std::optional<int64_t> max, std::string token) {
  ListInput in{.page_size = static_cast<int>(max.value_or(1000)), .next_token = std::move(token)};
  ListPage<T> out;
  while (true) {
    STRATO_ASSIGN_OR_RETURN(auto page, list(in));
    std::move(page.items.begin(), page.items.end(), std::back_inserter(out.items));
    if (max || page.next_token.empty()) {
      out.next_token = page.next_token;
      return out;
    }
    in.next_token = page.next_token;
  }
}

}  // namespace strato::api::ec2
