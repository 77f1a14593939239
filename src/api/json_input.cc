#include "api/json_input.h"

namespace strato::api {

using nlohmann::json;

namespace {
Status WrongType(std::string_view field, const char* expected) {
  return InvalidParameter("'" + std::string(field) + "' must be " + expected + ".");
}
}  // namespace

Result<JsonInput> JsonInput::Parse(std::string_view body,
                                   std::initializer_list<std::string_view> allowed) {
  json j;
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    j = json::object();
  } else {
    j = json::parse(body, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) {
      return BadRequest("MalformedJSON", "The request body is not valid JSON.");
    }
  }
  if (!j.is_object()) return BadRequest("MalformedJSON", "The request body must be a JSON object.");
  STRATO_RETURN_IF_ERROR(CheckFields(j, allowed, ""));
  return JsonInput(std::move(j), "");
}

Status JsonInput::CheckFields(const json& j, std::initializer_list<std::string_view> allowed,
                              const std::string& prefix) {
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (auto a : allowed) known = known || key == a;
    if (!known) {
      return BadRequest("UnknownParameter",
                        "Unknown field '" + prefix + key + "' in the request body.");
    }
  }
  return OkStatus();
}

const json* JsonInput::Find(std::string_view field) const {
  auto it = j_.find(field);
  if (it == j_.end() || it->is_null()) return nullptr;
  return &*it;
}

Result<std::optional<std::string>> JsonInput::String(std::string_view field) const {
  const json* v = Find(field);
  if (!v) return std::optional<std::string>();
  if (!v->is_string()) return WrongType(Name(field), "a string");
  return std::optional<std::string>(v->get<std::string>());
}

Result<std::string> JsonInput::RequiredString(std::string_view field) const {
  STRATO_ASSIGN_OR_RETURN(auto v, String(field));
  if (!v) return MissingParameter("'" + Name(field) + "' is required.");
  return *v;
}

Result<std::optional<int64_t>> JsonInput::Int(std::string_view field, int64_t min,
                                              int64_t max) const {
  const json* v = Find(field);
  if (!v) return std::optional<int64_t>();
  if (!v->is_number_integer()) return WrongType(Name(field), "an integer");
  int64_t n = v->is_number_unsigned() && v->get<uint64_t>() > uint64_t(INT64_MAX)
                  ? INT64_MAX
                  : v->get<int64_t>();
  if (n < min || n > max) {
    return InvalidParameter("'" + Name(field) + "' must be between " + std::to_string(min) +
                            " and " + std::to_string(max) + ".");
  }
  return std::optional<int64_t>(n);
}

Result<std::optional<double>> JsonInput::Number(std::string_view field) const {
  const json* v = Find(field);
  if (!v) return std::optional<double>();
  if (!v->is_number()) return WrongType(Name(field), "a number");
  return std::optional<double>(v->get<double>());
}

Result<std::optional<bool>> JsonInput::Bool(std::string_view field) const {
  const json* v = Find(field);
  if (!v) return std::optional<bool>();
  if (!v->is_boolean()) return WrongType(Name(field), "true or false");
  return std::optional<bool>(v->get<bool>());
}

Result<std::map<std::string, std::string>> JsonInput::StringMap(std::string_view field) const {
  std::map<std::string, std::string> out;
  const json* v = Find(field);
  if (!v) return out;
  if (!v->is_object()) return WrongType(Name(field), "an object of string values");
  for (const auto& [k, val] : v->items()) {
    if (!val.is_string()) {
      return InvalidParameter("'" + Name(field) + "." + k + "' must be a string.");
    }
    out[k] = val.get<std::string>();
  }
  return out;
}

Result<std::vector<std::string>> JsonInput::StringList(std::string_view field) const {
  std::vector<std::string> out;
  const json* v = Find(field);
  if (!v) return out;
  if (!v->is_array()) return WrongType(Name(field), "an array of strings");
  for (const auto& item : *v) {
    if (!item.is_string()) return WrongType(Name(field), "an array of strings");
    out.push_back(item.get<std::string>());
  }
  return out;
}

Result<std::vector<JsonInput>> JsonInput::ObjectList(
    std::string_view field, std::initializer_list<std::string_view> allowed) const {
  std::vector<JsonInput> out;
  const json* v = Find(field);
  if (!v) return out;
  if (!v->is_array()) return WrongType(Name(field), "an array of objects");
  for (size_t n = 0; n < v->size(); ++n) {
    std::string prefix = Name(field) + "[" + std::to_string(n) + "].";
    const json& item = (*v)[n];
    if (!item.is_object()) return WrongType(prefix.substr(0, prefix.size() - 1), "an object");
    STRATO_RETURN_IF_ERROR(CheckFields(item, allowed, prefix));
    out.push_back(JsonInput(item, std::move(prefix)));
  }
  return out;
}

}  // namespace strato::api
