#include "api/s3/s3_acl.h"

#include <pugixml.hpp>

namespace strato::api::s3 {
namespace {

Status NotSupported() {
  return BadRequest("AccessControlListNotSupported",
                    "The bucket does not allow ACLs: buckets and objects are private to the "
                    "bucket owner's tenant.");
}

// x-amz-grant-full-control: id="t-…" (one or more grantees, comma separated).
bool GrantsOwnerOnly(const std::string& value, const std::string& owner_id) {
  size_t start = 0;
  while (start <= value.size()) {
    size_t comma = value.find(',', start);
    std::string item = value.substr(start, comma == std::string::npos ? comma : comma - start);
    item.erase(0, item.find_first_not_of(' '));
    item.erase(item.find_last_not_of(' ') + 1);
    if (item != "id=\"" + owner_id + "\"" && item != "id=" + owner_id) return false;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return true;
}

}  // namespace

Status CheckAclHeaders(const http::Request& request, const std::string& owner_id) {
  for (const auto& [name, value] : request.headers) {
    if (name == "x-amz-acl") {
      if (value != "private" && value != "bucket-owner-full-control") return NotSupported();
    } else if (name.rfind("x-amz-grant-", 0) == 0) {
      if (name != "x-amz-grant-full-control" || !GrantsOwnerOnly(value, owner_id)) {
        return NotSupported();
      }
    }
  }
  return OkStatus();
}

Status CheckAclPut(const http::Request& request, const std::string& owner_id) {
  STRATO_RETURN_IF_ERROR(CheckAclHeaders(request, owner_id));
  if (request.body.empty()) return OkStatus();
  pugi::xml_document doc;
  pugi::xml_node policy;
  if (doc.load_string(request.body.c_str())) policy = doc.child("AccessControlPolicy");
  if (!policy) {
    return BadRequest("MalformedACLError",
                      "The XML you provided was not well-formed or did not validate against "
                      "our published schema.");
  }
  int grants = 0;
  for (auto grant : policy.child("AccessControlList").children("Grant")) {
    ++grants;
    if (std::string(grant.child_value("Permission")) != "FULL_CONTROL" ||
        grant.child("Grantee").child_value("ID") != owner_id) {
      return NotSupported();
    }
  }
  return grants > 0 ? OkStatus() : NotSupported();
}

}  // namespace strato::api::s3
