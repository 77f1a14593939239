#pragma once
// JsonInput: strict reading of untrusted JSON request bodies. Every failure is a 4xx
// naming the field: malformed JSON (MalformedJSON), a field the route does not know
// (UnknownParameter), a wrong type or range (InvalidParameterValue), a missing required
// field (MissingParameter). Never throws.

#include <initializer_list>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace strato::api {

class JsonInput {
 public:
  // An empty body reads as {}. Anything but an object is refused. `allowed` lists every
  // field the route accepts.
  static Result<JsonInput> Parse(std::string_view body,
                                 std::initializer_list<std::string_view> allowed);

  Result<std::optional<std::string>> String(std::string_view field) const;
  Result<std::string> RequiredString(std::string_view field) const;
  Result<std::optional<int64_t>> Int(std::string_view field, int64_t min, int64_t max) const;
  Result<std::optional<double>> Number(std::string_view field) const;
  Result<std::optional<bool>> Bool(std::string_view field) const;
  Result<std::map<std::string, std::string>> StringMap(std::string_view field) const;
  Result<std::vector<std::string>> StringList(std::string_view field) const;
  // The objects of the array `field`, each read as a body with the fields `allowed`; their
  // errors name the element ("block_devices[1].size_gib").
  Result<std::vector<JsonInput>> ObjectList(std::string_view field,
                                            std::initializer_list<std::string_view> allowed) const;

 private:
  JsonInput(nlohmann::json j, std::string prefix) : j_(std::move(j)), prefix_(std::move(prefix)) {}
  static Status CheckFields(const nlohmann::json& j,
                            std::initializer_list<std::string_view> allowed,
                            const std::string& prefix);
  const nlohmann::json* Find(std::string_view field) const;
  std::string Name(std::string_view field) const { return prefix_ + std::string(field); }
  nlohmann::json j_;
  std::string prefix_;  // "" for the body, "field[N]." for an element of an ObjectList
};

}  // namespace strato::api
