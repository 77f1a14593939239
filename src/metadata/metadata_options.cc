#include "metadata/metadata_options.h"

namespace strato {

Result<MetadataOptions> ApplyMetadataOptions(const MetadataOptions& current,
                                             const MetadataOptionsChange& change) {
  MetadataOptions out = current;
  if (change.http_tokens) {
    if (*change.http_tokens != "optional" && *change.http_tokens != "required")
      return InvalidParameter("'http_tokens' must be optional or required.");
    out.http_tokens = *change.http_tokens;
  }
  if (change.hop_limit) {
    if (*change.hop_limit < 1 || *change.hop_limit > 64)
      return InvalidParameter("'http_put_response_hop_limit' must be between 1 and 64.");
    out.hop_limit = *change.hop_limit;
  }
  if (change.http_endpoint) {
    if (*change.http_endpoint != "enabled" && *change.http_endpoint != "disabled")
      return InvalidParameter("'http_endpoint' must be enabled or disabled.");
    out.http_endpoint = *change.http_endpoint;
  }
  return out;
}

}  // namespace strato
