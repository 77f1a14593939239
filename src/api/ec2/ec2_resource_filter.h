#pragma once
// Filters of the Describe actions whose command layer lists whole pages (volumes,
// snapshots, VPCs, subnets): each resource is presented as "filter name -> its values",
// and a filter matches when one of the resource's values matches one of the filter's
// values ('*' and '?' wildcards). `tag:KEY` and `tag-key` are understood for every
// resource. Thread-safety: pure functions.

#include <map>
#include <string>
#include <vector>

#include "api/ec2/ec2_params.h"
#include "common/status.h"

namespace strato::api::ec2 {

using FilterFields = std::map<std::string, std::vector<std::string>>;

// InvalidParameterValue for a filter name that is neither in `known` nor a tag filter, or
// for a filter without values.
Status CheckFilterNames(const std::vector<Ec2Filter>& filters,
                        const std::vector<std::string>& known);

// Whether the resource with these fields and tags passes every filter.
bool MatchesAll(const std::vector<Ec2Filter>& filters, const FilterFields& fields,
                const std::map<std::string, std::string>& tags);

// The tags of the TagSpecification.N whose ResourceType is `resource_type`; any other
// resource type is InvalidParameterValue naming the action.
Result<std::map<std::string, std::string>> TagsFor(const Ec2Params& params,
                                                   std::string_view resource_type,
                                                   std::string_view action);

}  // namespace strato::api::ec2
