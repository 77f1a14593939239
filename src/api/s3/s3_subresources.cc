// S3Api: the bucket and object sub-resources Strato's object store does not have (ACLs,
// policies, tags, CORS, lifecycle, versioning, …). Each must be recognised by its query
// parameter: otherwise `PUT /bucket?tagging` would be taken for CreateBucket and
// `DELETE /bucket/key?tagging` for DeleteObject, and the tool that sent it would delete data.
//
// Reads answer what is true of every bucket and object here, in the form S3 gives for one
// that was never configured: the owner has full control (ownership "bucket owner enforced",
// see s3_acl.h), versioning was never enabled, there is no policy, CORS rule, lifecycle or
// tag set. Deleting a configuration that cannot exist succeeds and changes nothing, as S3
// answers for one never set. Setting an ACL that says what is already true succeeds, any
// other ACL is AccessControlListNotSupported; setting anything else is refused with
// NotImplemented, as a 400: the request is valid S3 that this store does not carry out.
#include <algorithm>
#include <array>
#include <functional>

#include "api/s3/s3_acl.h"
#include "api/s3/s3_internal.h"

namespace strato::api::s3 {
namespace {

enum class Level { kBucket, kObject };

// How a GET of an unset configuration reads: a 200 document, or S3's 404 for "none".
struct UnsetConfiguration {
  std::string_view name;  // the query parameter
  Level level;
  int status;              // 200 or 404
  std::string_view code;   // the 404's error code
  std::string_view root;   // the 200's document: its root element
  std::string_view inner;  // and what the root holds
};

constexpr std::array<UnsetConfiguration, 17> kConfigurations = {{
    {"acl", Level::kBucket, 200, "", "", ""},  // rendered with the owner, see Acl()
    {"acl", Level::kObject, 200, "", "", ""},
    {"versioning", Level::kBucket, 200, "", "VersioningConfiguration", ""},
    {"tagging", Level::kBucket, 404, "NoSuchTagSet", "", ""},
    {"tagging", Level::kObject, 200, "", "Tagging", "<TagSet/>"},
    {"policy", Level::kBucket, 404, "NoSuchBucketPolicy", "", ""},
    {"policyStatus", Level::kBucket, 404, "NoSuchBucketPolicy", "", ""},
    {"cors", Level::kBucket, 404, "NoSuchCORSConfiguration", "", ""},
    {"lifecycle", Level::kBucket, 404, "NoSuchLifecycleConfiguration", "", ""},
    {"encryption", Level::kBucket, 404, "ServerSideEncryptionConfigurationNotFoundError", "", ""},
    {"website", Level::kBucket, 404, "NoSuchWebsiteConfiguration", "", ""},
    {"replication", Level::kBucket, 404, "ReplicationConfigurationNotFoundError", "", ""},
    {"object-lock", Level::kBucket, 404, "ObjectLockConfigurationNotFoundError", "", ""},
    {"publicAccessBlock", Level::kBucket, 404, "NoSuchPublicAccessBlockConfiguration", "", ""},
    {"ownershipControls", Level::kBucket, 200, "", "OwnershipControls",
     "<Rule><ObjectOwnership>BucketOwnerEnforced</ObjectOwnership></Rule>"},
    {"logging", Level::kBucket, 200, "", "BucketLoggingStatus", ""},
    {"notification", Level::kBucket, 200, "", "NotificationConfiguration", ""},
}};

// Sub-resources S3 has and this store does not serve at all (besides the ones above).
constexpr std::array<std::string_view, 15> kOtherSubresources = {
    "accelerate", "analytics",      "attributes", "intelligent-tiering", "inventory", "legal-hold",
    "metrics",    "requestPayment", "restore",    "retention",           "select",    "torrent",
    "versions",   "renameObject",   "session"};

std::string Ns() { return " xmlns=\"" + std::string(kS3Namespace) + "\""; }

std::string Acl(const std::string& owner) {
  std::string who = Element("ID", owner) + Element("DisplayName", owner);
  return "<AccessControlPolicy" + Ns() + "><Owner>" + who +
         "</Owner><AccessControlList><Grant><Grantee "
         "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:type=\"CanonicalUser\">" +
         who +
         "</Grantee><Permission>FULL_CONTROL</Permission></Grant></AccessControlList>"
         "</AccessControlPolicy>";
}

Status NotImplemented(std::string_view what, std::string_view verb) {
  return BadRequest("NotImplemented", std::string(verb) + "the '" + std::string(what) +
                                          "' sub-resource is not supported by this object "
                                          "store; nothing was changed.");
}

// What sub-resource a request names at `level`: the configuration of that level, or a name
// this store has nothing for there (a name of the other level — ?policy on a key — or one of
// kOtherSubresources); neither for a plain request.
struct Named {
  const UnsetConfiguration* config = nullptr;
  std::string_view other;
};

bool HasEntry(std::string_view name, Level level) {
  return std::any_of(
      kConfigurations.begin(), kConfigurations.end(),
      [&](const UnsetConfiguration& u) { return u.name == name && u.level == level; });
}

Named Classify(const std::function<bool(std::string_view)>& has, Level level) {
  Named out;
  for (const auto& u : kConfigurations) {
    if (!has(u.name)) continue;
    if (u.level == level) {
      out.config = &u;
    } else if (!HasEntry(u.name, level)) {
      out.other = u.name;
    }
  }
  for (std::string_view name : kOtherSubresources) {
    if (has(name)) out.other = name;
  }
  if (out.config && !out.other.empty()) out.config = nullptr;
  return out;
}

}  // namespace

bool NamesSubresource(const http::Request& request) {
  const auto params = request.QueryParamList();
  auto has = [&](std::string_view name) {
    return std::any_of(params.begin(), params.end(),
                       [&](const auto& p) { return p.first == name; });
  };
  // Every known name is named at one level or the other.
  const Named named = Classify(has, Level::kBucket);
  return named.config || !named.other.empty();
}

std::optional<http::Response> S3Api::Subresource(Call& c) {
  const Level level = c.key.empty() ? Level::kBucket : Level::kObject;
  const auto [config, other] =
      Classify([&](std::string_view name) { return c.Has(std::string(name)); }, level);
  if (!config && other.empty()) return std::nullopt;
  auto fail = [&](const Status& s) { return Error(s, c.request, c.resource); };

  // Who may ask, and about what, as for any other request on the bucket or key.
  auto bucket = d_.objects->GetBucket(c.principal, c.bucket);
  if (!bucket.ok()) return fail(bucket.status());
  if (level == Level::kObject) {
    auto object = d_.objects->HeadObject(c.principal, c.bucket, c.key);
    if (!object.ok()) return fail(object.status());
  }
  const std::string& m = c.request.method;
  if (!config) return fail(NotImplemented(other, "Using "));
  if (m == "DELETE") {
    http::Response r;
    r.status = 204;
    return r;
  }
  if (m == "PUT" && config->name == "acl") {
    Status s = CheckAclPut(c.request, bucket->tenant_id);
    if (!s.ok()) return fail(s);
    return http::Response{};
  }
  if (m != "GET") return fail(NotImplemented(config->name, "Setting "));
  if (config->name == "acl") return Xml(200, Acl(bucket->tenant_id));
  if (config->status == 404) {
    return fail(Status(404, std::string(config->code),
                       "The " + std::string(config->name) + " configuration does not exist."));
  }
  const std::string root(config->root);
  return Xml(200, config->inner.empty()
                      ? "<" + root + Ns() + "/>"
                      : "<" + root + Ns() + ">" + std::string(config->inner) + "</" + root + ">");
}

}  // namespace strato::api::s3
