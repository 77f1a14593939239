#pragma once
// Parsing of instance metadata options from the native API's JSON bodies (flat fields:
// http_tokens, http_put_response_hop_limit, http_endpoint), shared by run and modify.

#include "api/json_input.h"
#include "metadata/metadata_options.h"

namespace strato::api {

Result<MetadataOptionsChange> ParseMetadataOptions(const JsonInput& in);

}  // namespace strato::api
