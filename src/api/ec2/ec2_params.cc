#include "api/ec2/ec2_params.h"

#include <fnmatch.h>

#include <charconv>

#include "common/uri.h"

namespace strato::api::ec2 {
namespace {

std::string FormDecode(std::string_view s) {
  std::string plus_as_space(s);
  for (char& c : plus_as_space) {
    if (c == '+') c = ' ';
  }
  return UriDecode(plus_as_space);
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  while (true) {
    size_t p = s.find(sep);
    out.push_back(s.substr(0, p));
    if (p == std::string_view::npos) return out;
    s = s.substr(p + 1);
  }
}

bool IsIndex(std::string_view s) {
  if (s.empty() || s.size() > 9 || s[0] == '0') return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

Status InvalidValue(std::string_view name, std::string_view value, std::string_view expected) {
  return InvalidParameter("Value (" + std::string(value) + ") for parameter " +
                          std::string(name) + " is invalid. Expected: '" +
                          std::string(expected) + "'.");
}

}  // namespace

Result<Ec2Params> Ec2Params::Parse(std::string_view raw_query, std::string_view form_body) {
  Ec2Params p;
  for (std::string_view source : {raw_query, form_body}) {
    for (std::string_view item : Split(source, '&')) {
      if (item.empty()) continue;
      size_t eq = item.find('=');
      std::string name = FormDecode(item.substr(0, eq));
      std::string value = eq == std::string_view::npos ? "" : FormDecode(item.substr(eq + 1));
      if (name.empty()) continue;
      if (!p.params_.emplace(name, std::move(value)).second) {
        return InvalidParameter("The parameter " + name + " is given more than once.");
      }
    }
  }
  return p;
}

Status Ec2Params::CheckAllowed(const std::vector<std::string>& patterns) const {
  for (const auto& [name, value] : params_) {
    auto segments = Split(name, '.');
    bool ok = false;
    for (const auto& pattern : patterns) {
      auto want = Split(pattern, '.');
      if (want.size() != segments.size()) continue;
      ok = true;
      for (size_t i = 0; ok && i < want.size(); ++i) {
        ok = want[i] == "#" ? IsIndex(segments[i]) : want[i] == segments[i];
      }
      if (ok) break;
    }
    if (!ok) {
      return BadRequest("UnknownParameter",
                        "The parameter " + name + " is not recognized for this action.");
    }
  }
  return OkStatus();
}

const std::string* Ec2Params::Find(std::string_view name) const {
  auto it = params_.find(name);
  return it == params_.end() ? nullptr : &it->second;
}

Result<std::string> Ec2Params::Required(std::string_view name) const {
  const std::string* v = Find(name);
  if (!v || v->empty()) {
    return MissingParameter("The request must contain the parameter " + std::string(name) + ".");
  }
  return *v;
}

std::optional<std::string> Ec2Params::Optional(std::string_view name) const {
  const std::string* v = Find(name);
  return v ? std::optional<std::string>(*v) : std::nullopt;
}

Result<std::optional<int64_t>> Ec2Params::Int(std::string_view name, int64_t min,
                                              int64_t max) const {
  const std::string* v = Find(name);
  if (!v) return std::optional<int64_t>();
  int64_t n = 0;
  auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (ec != std::errc() || end != v->data() + v->size()) return InvalidValue(name, *v, "Integer");
  if (n < min || n > max) {
    return InvalidParameter("Value (" + *v + ") for parameter " + std::string(name) +
                            " is invalid. It must be between " + std::to_string(min) + " and " +
                            std::to_string(max) + ".");
  }
  return std::optional<int64_t>(n);
}

Result<std::optional<bool>> Ec2Params::Bool(std::string_view name) const {
  const std::string* v = Find(name);
  if (!v) return std::optional<bool>();
  if (*v == "true") return std::optional<bool>(true);
  if (*v == "false") return std::optional<bool>(false);
  return InvalidValue(name, *v, "Boolean");
}

Result<std::map<int64_t, std::map<std::string, std::string>>> Ec2Params::Indexed(
    std::string_view prefix) const {
  std::map<int64_t, std::map<std::string, std::string>> out;
  std::string head = std::string(prefix) + ".";
  for (auto it = params_.lower_bound(head); it != params_.end(); ++it) {
    const std::string& name = it->first;
    if (name.compare(0, head.size(), head) != 0) break;
    std::string_view rest = std::string_view(name).substr(head.size());
    size_t dot = rest.find('.');
    std::string_view index = rest.substr(0, dot);
    if (!IsIndex(index)) {
      return InvalidParameter("The parameter " + name + " has no valid list index.");
    }
    std::string sub = dot == std::string_view::npos ? "" : std::string(rest.substr(dot + 1));
    out[std::stoll(std::string(index))][sub] = it->second;
  }
  return out;
}

Result<std::vector<std::string>> Ec2Params::List(std::string_view prefix) const {
  STRATO_ASSIGN_OR_RETURN(auto indexed, Indexed(prefix));
  std::vector<std::string> out;
  for (auto& [index, fields] : indexed) {
    for (auto& [sub, value] : fields) {
      if (!sub.empty()) {
        return BadRequest("UnknownParameter", "The parameter " + std::string(prefix) + "." +
                                                  std::to_string(index) + "." + sub +
                                                  " is not recognized for this action.");
      }
      out.push_back(value);
    }
  }
  return out;
}

Result<std::map<int64_t, std::map<std::string, std::string>>> Ec2Params::StructuresByIndex(
    std::string_view prefix) const {
  STRATO_ASSIGN_OR_RETURN(auto indexed, Indexed(prefix));
  for (const auto& [index, fields] : indexed) {
    if (fields.count("")) {
      return BadRequest("UnknownParameter", "The parameter " + std::string(prefix) + "." +
                                                std::to_string(index) +
                                                " is not recognized for this action.");
    }
  }
  return indexed;
}

Result<std::vector<std::map<std::string, std::string>>> Ec2Params::Structures(
    std::string_view prefix) const {
  STRATO_ASSIGN_OR_RETURN(auto indexed, StructuresByIndex(prefix));
  std::vector<std::map<std::string, std::string>> out;
  for (auto& [index, fields] : indexed) out.push_back(std::move(fields));
  return out;
}

Result<std::vector<Ec2Filter>> Ec2Params::Filters() const {
  STRATO_ASSIGN_OR_RETURN(auto indexed, Indexed("Filter"));
  std::vector<Ec2Filter> out;
  for (auto& [index, fields] : indexed) {
    Ec2Filter f;
    std::map<int64_t, std::string> values;
    for (auto& [sub, value] : fields) {
      if (sub == "Name") {
        f.name = value;
      } else if (sub.rfind("Value.", 0) == 0 && IsIndex(sub.substr(6))) {
        values[std::stoll(sub.substr(6))] = value;
      } else {
        return BadRequest("UnknownParameter", "The parameter Filter." + std::to_string(index) +
                                                  "." + sub + " is not recognized.");
      }
    }
    if (f.name.empty()) {
      return MissingParameter("The request must contain the parameter Filter." +
                              std::to_string(index) + ".Name.");
    }
    for (auto& [i, v] : values) f.values.push_back(std::move(v));
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<Ec2Tag>> Ec2Params::Tags(std::string_view prefix) const {
  STRATO_ASSIGN_OR_RETURN(auto indexed, Indexed(prefix));
  std::vector<Ec2Tag> out;
  for (auto& [index, fields] : indexed) {
    Ec2Tag t;
    bool has_key = false;
    for (auto& [sub, value] : fields) {
      if (sub == "Key") {
        t.key = value;
        has_key = true;
      } else if (sub == "Value") {
        t.value = value;
      } else {
        return BadRequest("UnknownParameter", "The parameter " + std::string(prefix) + "." +
                                                  std::to_string(index) + "." + sub +
                                                  " is not recognized.");
      }
    }
    if (!has_key) {
      return MissingParameter("The request must contain the parameter " + std::string(prefix) +
                              "." + std::to_string(index) + ".Key.");
    }
    out.push_back(std::move(t));
  }
  return out;
}

Result<std::vector<Ec2TagSpecification>> Ec2Params::TagSpecifications() const {
  STRATO_ASSIGN_OR_RETURN(auto indexed, Indexed("TagSpecification"));
  std::vector<Ec2TagSpecification> out;
  for (auto& [index, fields] : indexed) {
    Ec2TagSpecification spec;
    Ec2Params tags;  // the "Tag.M.*" fields of this specification, re-read as a Tags list
    for (auto& [sub, value] : fields) {
      if (sub == "ResourceType") {
        spec.resource_type = value;
      } else if (sub.rfind("Tag.", 0) == 0) {
        tags.params_.emplace(sub, value);
      } else {
        return BadRequest("UnknownParameter", "The parameter TagSpecification." +
                                                  std::to_string(index) + "." + sub +
                                                  " is not recognized.");
      }
    }
    if (spec.resource_type.empty()) {
      return MissingParameter("The request must contain the parameter TagSpecification." +
                              std::to_string(index) + ".ResourceType.");
    }
    STRATO_ASSIGN_OR_RETURN(spec.tags, tags.Tags("Tag"));
    out.push_back(std::move(spec));
  }
  return out;
}

bool FilterMatches(const std::vector<std::string>& patterns, const std::string& value) {
  if (patterns.empty()) return true;
  for (const auto& p : patterns) {
    if (fnmatch(p.c_str(), value.c_str(), 0) == 0) return true;
  }
  return false;
}

}  // namespace strato::api::ec2
