#pragma once
// Strict reading of query-string parameters (list filters, pagination).

#include <initializer_list>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "http/http_types.h"

namespace strato::api {

// Refuses parameters not in `allowed` (a trailing '*' allows a prefix, e.g. "tag:*").
Status CheckQueryParams(const std::map<std::string, std::string>& params,
                        std::initializer_list<std::string_view> allowed);
Result<int> QueryInt(const std::map<std::string, std::string>& params, const std::string& name,
                     int default_value, int min, int max);

}  // namespace strato::api
