#pragma once
// Buckets and objects here are always private to the tenant that owns the bucket: S3's
// "bucket owner enforced" object ownership, with ACLs disabled (the S3 default since 2023).
// As S3 does then, a request may still name an ACL that says exactly that — the canned
// `private` or `bucket-owner-full-control`, or FULL_CONTROL granted to the owner alone — and
// any other ACL is refused with AccessControlListNotSupported (400) before anything changes.
// Thread-safety: pure functions.

#include <string>

#include "common/status.h"
#include "http/http_types.h"

namespace strato::api::s3 {

// The x-amz-acl and x-amz-grant-* headers of CreateBucket, PutObject, CopyObject,
// CreateMultipartUpload and PUT ?acl.
Status CheckAclHeaders(const http::Request& request, const std::string& owner_id);

// PUT ?acl: the headers, and an AccessControlPolicy body if there is one
// (MalformedACLError when it does not parse).
Status CheckAclPut(const http::Request& request, const std::string& owner_id);

}  // namespace strato::api::s3
