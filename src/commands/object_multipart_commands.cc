// ObjectCommands: S3 multipart uploads. Parts are stored files of the bucket, recorded per
// upload; Complete joins them into the object's file and commits it in one transaction.
#include "commands/object_commands.h"
#include "common/digest.h"
#include "common/hex.h"
#include "common/ids.h"
#include "common/random.h"

namespace strato {
namespace {

constexpr uint64_t kMaxPartSize = uint64_t{5} << 30;  // 5 GiB, as S3

std::string Unquote(std::string etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') {
    etag = etag.substr(1, etag.size() - 2);
  }
  return etag;
}

Status InvalidPart() {
  return BadRequest("InvalidPart",
                    "One or more of the specified parts could not be found. The part may not "
                    "have been uploaded, or the specified entity tag may not match the part's "
                    "entity tag.");
}

// Every checksum the client lists for a part must be the one the part was verified with.
Status CheckListedChecksums(const CompletedPart& listed, const UploadPart& stored) {
  auto kept = ParseStoredChecksum(stored.checksum);
  for (const auto& [algorithm, base64] : listed.checksums) {
    if (!kept || kept->algorithm != algorithm || kept->base64 != base64) {
      return BadRequest("InvalidPart", "The checksum given for part " +
                                           std::to_string(listed.part_number) +
                                           " does not match the part's checksum.");
    }
  }
  return OkStatus();
}

// The upload's algorithm as stored ("SHA256"); nullopt for none.
std::optional<ChecksumAlgorithm> UploadAlgorithm(const MultipartUpload& u) {
  return u.checksum_algorithm.empty() ? std::nullopt
                                      : ParseChecksumAlgorithm(u.checksum_algorithm);
}

}  // namespace

Result<MultipartUpload> ObjectCommands::OwnedUpload(const Principal& p, const std::string& bucket,
                                                    const std::string& key,
                                                    const std::string& upload_id) {
  STRATO_RETURN_IF_ERROR(OwnedBucket(p, bucket).status());
  MultipartUpload u;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    STRATO_ASSIGN_OR_RETURN(u, t.GetUpload(upload_id));
    return OkStatus();
  }));
  if (u.bucket != bucket || u.key != key) {
    return NotFound("NoSuchUpload", "The specified upload does not exist.");
  }
  return u;
}

Result<MultipartUpload> ObjectCommands::CreateMultipartUpload(const Principal& p,
                                                              const PutObjectInput& in) {
  STRATO_RETURN_IF_ERROR(OwnedBucket(p, in.bucket).status());
  STRATO_RETURN_IF_ERROR(ValidateObjectKey(in.key));
  // Upload ids are long and random: they are capabilities within the bucket.
  MultipartUpload u{RandomString(48, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"),
                    in.bucket,
                    in.key,
                    in.content_type.empty() ? "binary/octet-stream" : in.content_type,
                    ObjectMetadataJson(in.user_metadata),
                    env_.now_ms(),
                    in.checksum_algorithm ? ToString(*in.checksum_algorithm) : "",
                    ObjectMetadataJson(in.headers)};
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) {
    STRATO_RETURN_IF_ERROR(t.GetBucket(in.bucket).status());
    return t.InsertUpload(u);
  }));
  return u;
}

Result<UploadPart> ObjectCommands::CommitPart(const Bucket& b, const MultipartUpload& u,
                                              int part_number, const WrittenFile& f,
                                              const std::string& checksum) {
  UploadPart part{u.id, part_number, f.size, f.md5_hex, f.data_file, env_.now_ms(), checksum};
  std::string replaced;
  Status s = env_.store->Write([&](WriteTxn& t) {
    STRATO_RETURN_IF_ERROR(t.GetUpload(u.id).status());  // aborted meanwhile?
    STRATO_ASSIGN_OR_RETURN(replaced, t.PutPart(part));
    return OkStatus();
  });
  if (!s.ok()) {
    files_.Remove(b.id, f.data_file);
    return s;
  }
  files_.Remove(b.id, replaced);
  return part;
}

Result<UploadPart> ObjectCommands::UploadPartData(const Principal& p, const std::string& upload_id,
                                                  int part_number, PutObjectInput& in) {
  STRATO_RETURN_IF_ERROR(CheckPartNumber(part_number));
  STRATO_ASSIGN_OR_RETURN(MultipartUpload u, OwnedUpload(p, in.bucket, in.key, upload_id));
  STRATO_ASSIGN_OR_RETURN(Bucket b, OwnedBucket(p, in.bucket));
  if (auto want = UploadAlgorithm(u); want && in.checksum_algorithm != want) {
    // Refused before a byte is read: nothing of the part is stored.
    return BadRequest("InvalidRequest",
                      std::string("Checksum Type mismatch occurred, expected checksum Type: ") +
                          ToString(*want) + ", actual checksum Type: " +
                          (in.checksum_algorithm ? ToString(*in.checksum_algorithm) : "null") +
                          ".");
  }
  STRATO_ASSIGN_OR_RETURN(DeclaredDigests declared, ParseDeclaredDigests(in));
  STRATO_ASSIGN_OR_RETURN(WrittenFile f, files_.Write(b.id, in.read, kMaxPartSize,
                                                      declared.sha256_hex.has_value()));
  Status digests = CheckDigests(declared, f);
  if (!digests.ok()) {
    files_.Remove(b.id, f.data_file);
    return digests;
  }
  // The body ended, so a declared checksum has been verified by now.
  std::string checksum;
  if (in.checksum_algorithm && !in.checksum_base64.empty()) {
    checksum = StoredChecksum(*in.checksum_algorithm, in.checksum_base64);
  }
  return CommitPart(b, u, part_number, f, checksum);
}

Result<UploadPart> ObjectCommands::UploadPartCopy(const Principal& p, const std::string& bucket,
                                                  const std::string& key,
                                                  const std::string& upload_id, int part_number,
                                                  const std::string& src_bucket,
                                                  const std::string& src_key,
                                                  const std::string& range) {
  STRATO_RETURN_IF_ERROR(CheckPartNumber(part_number));
  STRATO_ASSIGN_OR_RETURN(MultipartUpload u, OwnedUpload(p, bucket, key, upload_id));
  STRATO_ASSIGN_OR_RETURN(Bucket b, OwnedBucket(p, bucket));
  STRATO_ASSIGN_OR_RETURN(OpenedObject src, GetObject(p, src_bucket, src_key, range));
  if (!range.empty() && !src.range) {
    return BadRequest("InvalidArgument", "The x-amz-copy-source-range value must be of the form "
                                         "bytes=first-last.");
  }
  ObjectReader& reader = *src.reader;
  // The copied bytes get the upload's checksum, as the part would had it been uploaded.
  const std::optional<ChecksumAlgorithm> algorithm = UploadAlgorithm(u);
  std::optional<ChecksumHasher> hasher;
  if (algorithm) hasher.emplace(*algorithm);
  STRATO_ASSIGN_OR_RETURN(WrittenFile f,
                          files_.Write(
                              b.id,
                              [&](char* out, size_t max) -> Result<size_t> {
                                STRATO_ASSIGN_OR_RETURN(size_t n, reader.Read(out, max));
                                if (hasher) hasher->Update(std::string_view(out, n));
                                return n;
                              },
                              kMaxPartSize, /*with_sha256=*/false));
  std::string checksum = hasher ? StoredChecksum(*algorithm, hasher->FinishBase64()) : "";
  return CommitPart(b, u, part_number, f, checksum);
}

Result<ObjectRecord> ObjectCommands::CompleteMultipartUpload(
    const Principal& p, const std::string& bucket, const std::string& key,
    const std::string& upload_id, const std::vector<CompletedPart>& parts) {
  STRATO_ASSIGN_OR_RETURN(MultipartUpload u, OwnedUpload(p, bucket, key, upload_id));
  STRATO_ASSIGN_OR_RETURN(Bucket b, OwnedBucket(p, bucket));
  if (parts.empty()) {
    return BadRequest("MalformedXML", "You must specify at least one part.");
  }
  std::vector<UploadPart> stored;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    STRATO_ASSIGN_OR_RETURN(stored, t.ListParts(upload_id, 0, kMaxParts));
    return OkStatus();
  }));
  std::map<int, const UploadPart*> by_number;
  for (const auto& sp : stored) by_number[sp.part_number] = &sp;
  std::vector<std::string> files;
  std::string md5s;
  const std::optional<ChecksumAlgorithm> algorithm = UploadAlgorithm(u);
  std::vector<std::string> part_checksums;  // base64, for the composite
  std::string part_sizes;                   // ObjectRecord::part_sizes
  for (size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].part_number <= parts[i - 1].part_number) {
      return BadRequest("InvalidPartOrder",
                        "The list of parts was not in ascending order. Parts must be ordered by "
                        "part number.");
    }
  }
  for (size_t i = 0; i < parts.size(); ++i) {
    const CompletedPart& cp = parts[i];
    auto it = by_number.find(cp.part_number);
    if (it == by_number.end() || Unquote(cp.etag) != it->second->etag) return InvalidPart();
    STRATO_RETURN_IF_ERROR(CheckListedChecksums(cp, *it->second));
    if (algorithm) {
      auto kept = ParseStoredChecksum(it->second->checksum);
      // Every part of such an upload was verified with the algorithm; anything else is a
      // part that cannot take part in the composite.
      if (!kept || kept->algorithm != *algorithm) return InvalidPart();
      part_checksums.push_back(kept->base64);
    }
    if (i + 1 < parts.size() && it->second->size < kMinPartSize) {
      return BadRequest("EntityTooSmall",
                        "Your proposed upload is smaller than the minimum allowed size (part " +
                            std::to_string(cp.part_number) + ").");
    }
    files.push_back(it->second->data_file);
    md5s += *HexDecode(it->second->etag);
    part_sizes += (part_sizes.empty() ? "" : ",") + std::to_string(it->second->size);
  }
  std::string checksum;
  if (algorithm) {
    auto composite = CompositeChecksumBase64(*algorithm, part_checksums);
    if (!composite) return InvalidPart();
    checksum = StoredChecksum(*algorithm, *composite);
  }
  STRATO_ASSIGN_OR_RETURN(WrittenFile joined, files_.Concatenate(b.id, files));
  ObjectRecord o{bucket,
                 key,
                 joined.size,
                 Md5Hex(md5s) + "-" + std::to_string(parts.size()),
                 u.content_type,
                 u.user_metadata,
                 joined.data_file,
                 env_.now_ms(),
                 checksum,
                 u.headers,
                 part_sizes};
  std::string replaced;
  std::vector<std::string> part_files;
  Status s = env_.store->Write([&](WriteTxn& t) {
    STRATO_ASSIGN_OR_RETURN(part_files, t.DeleteUpload(upload_id));  // NoSuchUpload if raced
    STRATO_ASSIGN_OR_RETURN(replaced, t.PutObject(o));
    return OkStatus();
  });
  if (!s.ok()) {
    files_.Remove(b.id, joined.data_file);
    return s;
  }
  files_.Remove(b.id, replaced);
  for (const auto& f : part_files) files_.Remove(b.id, f);
  return o;
}

Status ObjectCommands::AbortMultipartUpload(const Principal& p, const std::string& bucket,
                                            const std::string& key,
                                            const std::string& upload_id) {
  STRATO_RETURN_IF_ERROR(OwnedUpload(p, bucket, key, upload_id).status());
  STRATO_ASSIGN_OR_RETURN(Bucket b, OwnedBucket(p, bucket));
  std::vector<std::string> part_files;
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) {
    STRATO_ASSIGN_OR_RETURN(part_files, t.DeleteUpload(upload_id));
    return OkStatus();
  }));
  for (const auto& f : part_files) files_.Remove(b.id, f);
  return OkStatus();
}

Result<ListPartsResult> ObjectCommands::ListParts(const Principal& p, const std::string& bucket,
                                                  const std::string& key,
                                                  const std::string& upload_id, int after,
                                                  int max_parts) {
  ListPartsResult out;
  STRATO_ASSIGN_OR_RETURN(out.upload, OwnedUpload(p, bucket, key, upload_id));
  max_parts = std::clamp(max_parts, 0, 1000);
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    STRATO_ASSIGN_OR_RETURN(out.parts, t.ListParts(upload_id, after, max_parts + 1));
    return OkStatus();
  }));
  if (static_cast<int>(out.parts.size()) > max_parts) {
    out.parts.resize(max_parts);
    out.truncated = true;
  }
  if (!out.parts.empty()) out.next_marker = out.parts.back().part_number;
  return out;
}

Result<std::vector<MultipartUpload>> ObjectCommands::ListMultipartUploads(
    const Principal& p, const std::string& bucket, const std::string& prefix, int max_uploads) {
  STRATO_RETURN_IF_ERROR(OwnedBucket(p, bucket).status());
  std::vector<MultipartUpload> out;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    STRATO_ASSIGN_OR_RETURN(out, t.ListUploads(bucket, prefix, "", "", std::clamp(max_uploads, 0, 1000)));
    return OkStatus();
  }));
  return out;
}

Status CheckPartNumber(int n) {
  if (n < 1 || n > ObjectCommands::kMaxParts) {
    return BadRequest("InvalidArgument", "Part number must be an integer between 1 and " +
                                             std::to_string(ObjectCommands::kMaxParts) +
                                             ", inclusive.");
  }
  return OkStatus();
}

}  // namespace strato
