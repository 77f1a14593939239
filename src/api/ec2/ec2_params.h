#pragma once
// Ec2Params: the parameters of one EC2 Query request, as the AWS Query serialization sends
// them: flat "Name=Value" pairs from the form body (POST) and the query string, with lists
// as "InstanceId.1", structures as "Placement.AvailabilityZone" and lists of structures as
// "Filter.1.Name" / "Filter.1.Value.1". Values are form-decoded ('+' is a space, %XX).
//
// Every failure is a 400 naming the parameter with the EC2 wording: MissingParameter,
// InvalidParameterValue (wrong type or range), UnknownParameter (not accepted by the
// action). Never throws. Thread-safety: a value type.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace strato::api::ec2 {

struct Ec2Filter {
  std::string name;
  std::vector<std::string> values;
};

struct Ec2Tag {
  std::string key;
  std::optional<std::string> value;
};

struct Ec2TagSpecification {
  std::string resource_type;
  std::vector<Ec2Tag> tags;
};

class Ec2Params {
 public:
  // Pairs from the query string, then the body; a name given twice is InvalidParameterValue.
  static Result<Ec2Params> Parse(std::string_view raw_query, std::string_view form_body);

  // Refuses (UnknownParameter) any parameter not matched by one of `patterns`: dotted names
  // where a "#" segment matches any index ("InstanceId.#", "Filter.#.Value.#").
  Status CheckAllowed(const std::vector<std::string>& patterns) const;

  const std::string* Find(std::string_view name) const;
  Result<std::string> Required(std::string_view name) const;
  std::optional<std::string> Optional(std::string_view name) const;
  Result<std::optional<int64_t>> Int(std::string_view name, int64_t min, int64_t max) const;
  Result<std::optional<bool>> Bool(std::string_view name) const;
  // Values of "<prefix>.N" in index order.
  Result<std::vector<std::string>> List(std::string_view prefix) const;
  // "Filter.N.Name" with "Filter.N.Value.M"; a filter without a name is MissingParameter.
  Result<std::vector<Ec2Filter>> Filters() const;
  // "<prefix>.N.Key" with optional "<prefix>.N.Value" ("Tag" for CreateTags).
  Result<std::vector<Ec2Tag>> Tags(std::string_view prefix) const;
  Result<std::vector<Ec2TagSpecification>> TagSpecifications() const;
  // "<prefix>.N.<Field>" grouped by N, in index order: the fields of each structure of a
  // list ("BlockDeviceMapping.1.Ebs.VolumeSize" is field "Ebs.VolumeSize" of structure 1).
  // "<prefix>.N" without a field is UnknownParameter.
  Result<std::map<int64_t, std::map<std::string, std::string>>> StructuresByIndex(
      std::string_view prefix) const;
  // The same structures without their indexes.
  Result<std::vector<std::map<std::string, std::string>>> Structures(
      std::string_view prefix) const;

 private:
  // Index -> remaining name ("" for "<prefix>.N" itself) -> value, for "<prefix>.N[.rest]".
  Result<std::map<int64_t, std::map<std::string, std::string>>> Indexed(
      std::string_view prefix) const;
  std::map<std::string, std::string, std::less<>> params_;
};

// Whether `value` matches one of a filter's values, which may use the '*' and '?'
// wildcards; no values matches everything.
bool FilterMatches(const std::vector<std::string>& patterns, const std::string& value);

}  // namespace strato::api::ec2
