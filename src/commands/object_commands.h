#pragma once
// ObjectCommands: the S3 object store's rules — bucket naming and ownership, object keys,
// integrity checks (Content-MD5, x-amz-checksum-sha256), listing with prefixes and
// delimiters. Object bytes stream through ObjectFiles on the caller's thread: this is the
// data path, and buffering whole objects is never an option. Metadata is written in one
// store transaction after the bytes are safely on disk, so an object is either all there
// or not there.
//
// Tenancy: bucket names are global (as in S3); another tenant's bucket answers AccessDenied
// (403) to every operation, and its objects are never listed or read.
// Thread-safety: all methods may be called concurrently.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "commands/command_env.h"
#include "common/checksum.h"
#include "core/model.h"
#include "objectstore/object_files.h"

namespace strato {

struct PutObjectInput {
  std::string bucket;
  std::string key;
  std::string content_type;
  std::map<std::string, std::string> user_metadata;  // names without "x-amz-meta-"
  // The stored response headers (ObjectRecord::headers), by their canonical names.
  std::map<std::string, std::string> headers;
  std::optional<std::string> content_md5_base64;  // Content-MD5
  std::optional<std::string> sha256_base64;       // x-amz-checksum-sha256
  // An additional checksum the front end verifies while `read` streams (S3 checks it
  // before the end of the body is reported); the value is set once the body has ended.
  std::optional<ChecksumAlgorithm> checksum_algorithm;
  std::string checksum_base64;
  ByteReadFn read;
};

struct ObjectRange {
  uint64_t first = 0;
  uint64_t last = 0;  // inclusive
};

struct OpenedObject {
  ObjectRecord record;
  std::optional<ObjectRange> range;  // the satisfied range or part, when one was asked for
  std::unique_ptr<ObjectReader> reader;
};

struct ListObjectsInput {
  std::string bucket;
  std::string prefix;
  std::string delimiter;
  std::string after;  // marker / start-after / continuation key
  int max_keys = 1000;
};

struct ListObjectsResult {
  std::vector<ObjectRecord> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_after;  // the last key or prefix returned, when truncated
};

struct CompletedPart {
  int part_number = 0;
  std::string etag;  // as the client sent it (quotes allowed)
  // The <ChecksumCRC32>… values the client sent for the part (base64); each must equal the
  // part's stored checksum.
  std::vector<std::pair<ChecksumAlgorithm, std::string>> checksums;
};

struct ListPartsResult {
  MultipartUpload upload;
  std::vector<UploadPart> parts;
  bool truncated = false;
  int next_marker = 0;
};

class ObjectCommands {
 public:
  static constexpr uint64_t kMaxObjectSize = uint64_t{5} << 40;  // 5 TiB, as S3

  ObjectCommands(CommandEnv& env, ObjectFiles& files);

  Result<std::vector<Bucket>> ListBuckets(const Principal& p);
  // BucketAlreadyOwnedByYou / BucketAlreadyExists (409), InvalidBucketName (400).
  Result<Bucket> CreateBucket(const Principal& p, const std::string& name);
  // BucketNotEmpty (409).
  Status DeleteBucket(const Principal& p, const std::string& name);
  Result<Bucket> GetBucket(const Principal& p, const std::string& name);

  // BadDigest / XAmzContentSHA256Mismatch (400) when a declared digest differs.
  Result<ObjectRecord> PutObject(const Principal& p, PutObjectInput& in);
  // `range_header` is an HTTP Range value ("bytes=0-99", "bytes=-100", "bytes=100-").
  // InvalidRange (416) when it cannot be satisfied; an unparseable one is ignored, as S3 does.
  // `part_number`: part N of a multipart object (any object's part 1 is all of it); with a
  // Range it is InvalidRequest, past the last part InvalidPartNumber (416).
  Result<OpenedObject> GetObject(const Principal& p, const std::string& bucket,
                                 const std::string& key, const std::string& range_header = "",
                                 std::optional<int> part_number = std::nullopt);
  Result<ObjectRecord> HeadObject(const Principal& p, const std::string& bucket,
                                  const std::string& key);
  // Deleting a missing key succeeds, as in S3.
  Status DeleteObject(const Principal& p, const std::string& bucket, const std::string& key);
  Result<ListObjectsResult> ListObjects(const Principal& p, const ListObjectsInput& in);
  // Judges the opened source before anything is copied (the copy's preconditions); a
  // failure is returned as is.
  using SourceCheck = std::function<Status(const ObjectRecord&)>;
  // Server-side copy; the metadata is copied unless `replace_metadata` is given. Copying an
  // object onto itself without replacing its metadata is InvalidRequest (it would change
  // nothing), as in S3.
  Result<ObjectRecord> CopyObject(const Principal& p, const std::string& src_bucket,
                                  const std::string& src_key, const std::string& dst_bucket,
                                  const std::string& dst_key,
                                  const std::optional<PutObjectInput>& replace_metadata,
                                  const SourceCheck& check_source = nullptr);

  // ---- multipart uploads (object_multipart_commands.cc) ----
  static constexpr int64_t kMinPartSize = 5 << 20;  // all parts but the last
  static constexpr int kMaxParts = 10000;
  // `in.read` is unused; content type and metadata are kept for the completed object.
  // `in.checksum_algorithm`, when set, is the upload's (x-amz-checksum-algorithm): every
  // part must then carry a checksum of it, and the object gets their composite.
  Result<MultipartUpload> CreateMultipartUpload(const Principal& p, const PutObjectInput& in);
  // `in.bucket`/`in.key` must name the upload's object. InvalidArgument for part numbers
  // outside 1..10000; InvalidRequest (400) when the upload has a checksum algorithm and the
  // part declares no checksum of it. The part keeps its verified checksum, if any.
  Result<UploadPart> UploadPartData(const Principal& p, const std::string& upload_id,
                                    int part_number, PutObjectInput& in);
  // A part copied from (a range of) an existing object; checksummed with the upload's
  // algorithm when it has one.
  Result<UploadPart> UploadPartCopy(const Principal& p, const std::string& bucket,
                                    const std::string& key, const std::string& upload_id,
                                    int part_number, const std::string& src_bucket,
                                    const std::string& src_key, const std::string& range);
  // InvalidPart, InvalidPartOrder, EntityTooSmall (400). The ETag is "<md5 of md5s>-<n>".
  // InvalidPart also when a part checksum given differs from the stored one. An upload with
  // a checksum algorithm gives the object the composite of its parts' checksums
  // (CompositeChecksumBase64, "SHA256:<base64>-<n>" as stored).
  Result<ObjectRecord> CompleteMultipartUpload(const Principal& p, const std::string& bucket,
                                               const std::string& key, const std::string& upload_id,
                                               const std::vector<CompletedPart>& parts);
  Status AbortMultipartUpload(const Principal& p, const std::string& bucket, const std::string& key,
                              const std::string& upload_id);
  Result<ListPartsResult> ListParts(const Principal& p, const std::string& bucket,
                                    const std::string& key, const std::string& upload_id, int after,
                                    int max_parts);
  Result<std::vector<MultipartUpload>> ListMultipartUploads(const Principal& p,
                                                            const std::string& bucket,
                                                            const std::string& prefix,
                                                            int max_uploads);

  // At start: removes object files and bucket directories no record refers to (a crash
  // between writing and committing). Returns how many were removed.
  Result<size_t> Reconcile();

 private:
  Result<MultipartUpload> OwnedUpload(const Principal& p, const std::string& bucket,
                                      const std::string& key, const std::string& upload_id);
  Result<UploadPart> CommitPart(const Bucket& b, const MultipartUpload& u, int part_number,
                                const WrittenFile& f, const std::string& checksum);
  Result<Bucket> OwnedBucket(const Principal& p, const std::string& name);
  Result<ObjectRecord> Commit(const Bucket& b, const std::string& key, const WrittenFile& f,
                              const std::string& content_type, const std::string& metadata_json,
                              const std::string& headers_json, const std::string& checksum);

  CommandEnv& env_;
  ObjectFiles& files_;
};

Status ValidateBucketName(const std::string& name);
// The digests an upload declares (Content-MD5, x-amz-checksum-sha256), as hex; InvalidDigest
// or InvalidRequest (400) when malformed. CheckDigests: BadDigest (400) when one differs.
struct DeclaredDigests {
  std::optional<std::string> md5_hex;
  std::optional<std::string> sha256_hex;
};
Result<DeclaredDigests> ParseDeclaredDigests(const PutObjectInput& in);
Status CheckDigests(const DeclaredDigests& declared, const WrittenFile& written);
// x-amz-meta-* and the stored response headers as stored: a JSON object.
std::string ObjectMetadataJson(const std::map<std::string, std::string>& metadata);
// An HTTP Range ("bytes=a-b", "bytes=a-", "bytes=-n") against `size` bytes: nullopt when
// there is no usable range (S3 then serves everything), InvalidRange (416) when unsatisfiable.
Result<std::optional<ObjectRange>> ParseByteRange(const std::string& header, uint64_t size);
// InvalidArgument (400) unless 1 ≤ n ≤ kMaxParts: what UploadPart and GetObject's
// ?partNumber take (a value that is not an integer is out of range too).
Status CheckPartNumber(int n);
// The bytes of part `part_number` of a multipart object; nullopt for part 1 of any other
// object, which is all of it (see GetObject). And how many parts a multipart object has (0
// for any other).
Result<std::optional<ObjectRange>> PartRange(const ObjectRecord& o, int part_number);
int PartsCount(const ObjectRecord& o);
Status ValidateObjectKey(const std::string& key);

}  // namespace strato
