#include "api/ec2/ec2_resource_filter.h"

#include <algorithm>

namespace strato::api::ec2 {

Status CheckFilterNames(const std::vector<Ec2Filter>& filters,
                        const std::vector<std::string>& known) {
  for (const auto& f : filters) {
    const bool is_tag = (f.name.rfind("tag:", 0) == 0 && f.name.size() > 4) || f.name == "tag-key";
    if (!is_tag && std::find(known.begin(), known.end(), f.name) == known.end()) {
      return InvalidParameter("The filter '" + f.name + "' is invalid.");
    }
    if (f.values.empty()) {
      return InvalidParameter("The filter '" + f.name + "' must have at least one value.");
    }
  }
  return OkStatus();
}

namespace {

bool AnyMatches(const std::vector<std::string>& patterns, const std::vector<std::string>& values) {
  return std::any_of(values.begin(), values.end(),
                     [&](const std::string& v) { return FilterMatches(patterns, v); });
}

}  // namespace

bool MatchesAll(const std::vector<Ec2Filter>& filters, const FilterFields& fields,
                const std::map<std::string, std::string>& tags) {
  for (const auto& f : filters) {
    std::vector<std::string> values;
    if (f.name == "tag-key") {
      for (const auto& [k, v] : tags) values.push_back(k);
    } else if (f.name.rfind("tag:", 0) == 0) {
      auto it = tags.find(f.name.substr(4));
      if (it != tags.end()) values.push_back(it->second);
    } else if (auto it = fields.find(f.name); it != fields.end()) {
      values = it->second;
    }
    if (!AnyMatches(f.values, values)) return false;
  }
  return true;
}

Result<std::map<std::string, std::string>> TagsFor(const Ec2Params& params,
                                                   std::string_view resource_type,
                                                   std::string_view action) {
  STRATO_ASSIGN_OR_RETURN(auto specs, params.TagSpecifications());
  std::map<std::string, std::string> tags;
  for (const auto& spec : specs) {
    if (spec.resource_type != resource_type) {
      return InvalidParameter("TagSpecification ResourceType '" + spec.resource_type +
                              "' is not valid for " + std::string(action) + ": use '" +
                              std::string(resource_type) + "'.");
    }
    for (const auto& t : spec.tags) tags[t.key] = t.value.value_or("");
  }
  return tags;
}

}  // namespace strato::api::ec2
