#include "commands/object_commands.h"

#include <charconv>
#include <nlohmann/json.hpp>

#include "common/base64.h"
#include "common/hex.h"
#include "common/ids.h"

namespace strato {
namespace {

using nlohmann::json;

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool LooksLikeIpv4(const std::string& s) {
  int dots = 0;
  for (char c : s) {
    if (c == '.') {
      ++dots;
    } else if (c < '0' || c > '9') {
      return false;
    }
  }
  return dots == 3;
}

}  // namespace

std::string ObjectMetadataJson(const std::map<std::string, std::string>& m) {
  json j = json::object();
  for (const auto& [k, v] : m) j[k] = v;
  return j.dump();
}

// "bytes=a-b" | "bytes=a-" | "bytes=-n" against an object of `size` bytes. nullopt: no
// usable range (ignored, as S3 ignores what it cannot parse); an error: unsatisfiable.
Result<std::optional<ObjectRange>> ParseByteRange(const std::string& header, uint64_t size) {
  constexpr std::string_view kPrefix = "bytes=";
  if (header.rfind(kPrefix, 0) != 0 || header.find(',') != std::string::npos) {
    return std::optional<ObjectRange>{};
  }
  std::string_view spec(header);
  spec.remove_prefix(kPrefix.size());
  size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return std::optional<ObjectRange>{};
  auto number = [](std::string_view s) -> std::optional<uint64_t> {
    uint64_t v = 0;
    if (s.empty()) return std::nullopt;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
    return v;
  };
  auto first = number(spec.substr(0, dash));
  auto last = number(spec.substr(dash + 1));
  const Status unsatisfiable(416, "InvalidRange", "The requested range is not satisfiable.");
  if (!first && !last) return std::optional<ObjectRange>{};
  if (!first) {  // the last n bytes
    if (*last == 0) return unsatisfiable;
    uint64_t n = std::min(*last, size);
    if (size == 0) return unsatisfiable;
    return std::optional<ObjectRange>{ObjectRange{size - n, size - 1}};
  }
  if (last && *last < *first) return std::optional<ObjectRange>{};
  if (*first >= size) return unsatisfiable;
  uint64_t end = last ? std::min(*last, size - 1) : size - 1;
  return std::optional<ObjectRange>{ObjectRange{*first, end}};
}

Result<DeclaredDigests> ParseDeclaredDigests(const PutObjectInput& in) {
  DeclaredDigests out;
  if (in.content_md5_base64) {
    auto raw = Base64Decode(*in.content_md5_base64);
    if (!raw || raw->size() != 16) {
      return BadRequest("InvalidDigest", "The Content-MD5 you specified was invalid.");
    }
    out.md5_hex = HexEncode(*raw);
  }
  if (in.sha256_base64) {
    auto raw = Base64Decode(*in.sha256_base64);
    if (!raw || raw->size() != 32) {
      return BadRequest("InvalidRequest", "Value for x-amz-checksum-sha256 header is invalid.");
    }
    out.sha256_hex = HexEncode(*raw);
  }
  return out;
}

Status CheckDigests(const DeclaredDigests& declared, const WrittenFile& f) {
  if (declared.md5_hex && *declared.md5_hex != f.md5_hex) {
    return BadRequest("BadDigest", "The Content-MD5 you specified did not match what we received.");
  }
  if (declared.sha256_hex && *declared.sha256_hex != f.sha256_hex) {
    return BadRequest("BadDigest",
                      "The SHA256 you specified did not match the calculated checksum.");
  }
  return OkStatus();
}

Status ValidateBucketName(const std::string& name) {
  auto bad = [&](const std::string& why) {
    return BadRequest("InvalidBucketName",
                      "The specified bucket is not valid: '" + name + "' " + why + ".");
  };
  if (name.size() < 3 || name.size() > 63) return bad("must be 3 to 63 characters long");
  for (char c : name) {
    if (!IsLowerAlnum(c) && c != '.' && c != '-') {
      return bad("may hold only lower-case letters, digits, dots and hyphens");
    }
  }
  if (!IsLowerAlnum(name.front()) || !IsLowerAlnum(name.back())) {
    return bad("must begin and end with a letter or digit");
  }
  if (name.find("..") != std::string::npos || name.find(".-") != std::string::npos ||
      name.find("-.") != std::string::npos) {
    return bad("must not hold adjacent dots or a dot beside a hyphen");
  }
  if (LooksLikeIpv4(name)) return bad("must not be formatted as an IP address");
  // Path-style /v1/… and /agent/… belong to the native API and the host agents.
  if (name == "v1" || name == "agent") return bad("is reserved");
  return OkStatus();
}

Status ValidateObjectKey(const std::string& key) {
  if (key.empty()) return BadRequest("InvalidArgument", "The object key must not be empty.");
  if (key.size() > 1024) {
    return BadRequest("KeyTooLongError", "Your key is too long (at most 1024 bytes).");
  }
  return OkStatus();
}

ObjectCommands::ObjectCommands(CommandEnv& env, ObjectFiles& files) : env_(env), files_(files) {}

Result<Bucket> ObjectCommands::OwnedBucket(const Principal& p, const std::string& name) {
  if (!ValidateBucketName(name).ok()) {
    return NotFound("NoSuchBucket", "The specified bucket does not exist.");
  }
  Bucket b;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    STRATO_ASSIGN_OR_RETURN(b, t.GetBucket(name));
    return OkStatus();
  }));
  if (b.tenant_id != p.tenant_id) return Forbidden("AccessDenied", "Access Denied");
  return b;
}

Result<std::vector<Bucket>> ObjectCommands::ListBuckets(const Principal& p) {
  std::vector<Bucket> out;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    STRATO_ASSIGN_OR_RETURN(out, t.ListBuckets(p.tenant_id));
    return OkStatus();
  }));
  return out;
}

Result<Bucket> ObjectCommands::CreateBucket(const Principal& p, const std::string& name) {
  STRATO_RETURN_IF_ERROR(ValidateBucketName(name));
  Bucket b{name, NewResourceId("bkt"), p.tenant_id, env_.now_ms()};
  STRATO_RETURN_IF_ERROR(files_.CreateBucketDir(b.id));
  Bucket existing;
  Status s = env_.store->Write([&](WriteTxn& t) {
    auto found = t.GetBucket(name);
    if (found.ok()) {
      existing = *found;
      return Conflict("BucketExists", "");
    }
    return t.InsertBucket(b);
  });
  if (s.code() == "BucketExists") {
    files_.RemoveBucketDir(b.id);
    if (existing.tenant_id == p.tenant_id) {
      return Conflict("BucketAlreadyOwnedByYou",
                      "Your previous request to create the named bucket succeeded and you "
                      "already own it.");
    }
    return Conflict("BucketAlreadyExists",
                    "The requested bucket name is not available. The bucket namespace is shared "
                    "by all users of the system. Please select a different name and try again.");
  }
  if (!s.ok()) files_.RemoveBucketDir(b.id);
  STRATO_RETURN_IF_ERROR(s);
  return b;
}

Status ObjectCommands::DeleteBucket(const Principal& p, const std::string& name) {
  STRATO_ASSIGN_OR_RETURN(Bucket b, OwnedBucket(p, name));
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) {
    STRATO_ASSIGN_OR_RETURN(bool has_objects, t.BucketHasObjects(name));
    if (has_objects) {
      return Conflict("BucketNotEmpty", "The bucket you tried to delete is not empty.");
    }
    return t.DeleteBucket(name);
  }));
  files_.RemoveBucketDir(b.id);
  return OkStatus();
}

Result<Bucket> ObjectCommands::GetBucket(const Principal& p, const std::string& name) {
  return OwnedBucket(p, name);
}

Result<ObjectRecord> ObjectCommands::Commit(const Bucket& b, const std::string& key,
                                            const WrittenFile& f, const std::string& content_type,
                                            const std::string& metadata_json,
                                            const std::string& headers_json,
                                            const std::string& checksum) {
  ObjectRecord o{b.name,
                 key,
                 f.size,
                 f.md5_hex,
                 content_type.empty() ? "binary/octet-stream" : content_type,
                 metadata_json,
                 f.data_file,
                 env_.now_ms(),
                 checksum,
                 headers_json};
  std::string replaced;
  Status s = env_.store->Write([&](WriteTxn& t) {
    // The bucket may have been deleted while the bytes streamed in.
    STRATO_RETURN_IF_ERROR(t.GetBucket(b.name).status());
    STRATO_ASSIGN_OR_RETURN(replaced, t.PutObject(o));
    return OkStatus();
  });
  if (!s.ok()) {
    files_.Remove(b.id, f.data_file);
    return s;
  }
  files_.Remove(b.id, replaced);  // after the commit: readers holding it open keep it
  return o;
}

Result<ObjectRecord> ObjectCommands::PutObject(const Principal& p, PutObjectInput& in) {
  STRATO_ASSIGN_OR_RETURN(Bucket b, OwnedBucket(p, in.bucket));
  STRATO_RETURN_IF_ERROR(ValidateObjectKey(in.key));
  STRATO_ASSIGN_OR_RETURN(DeclaredDigests declared, ParseDeclaredDigests(in));
  STRATO_ASSIGN_OR_RETURN(
      WrittenFile f, files_.Write(b.id, in.read, kMaxObjectSize, declared.sha256_hex.has_value()));
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
  return Commit(b, in.key, f, in.content_type, ObjectMetadataJson(in.user_metadata),
                ObjectMetadataJson(in.headers), checksum);
}

Result<ObjectRecord> ObjectCommands::HeadObject(const Principal& p, const std::string& bucket,
                                                const std::string& key) {
  STRATO_RETURN_IF_ERROR(OwnedBucket(p, bucket).status());
  STRATO_RETURN_IF_ERROR(ValidateObjectKey(key));
  ObjectRecord o;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    STRATO_ASSIGN_OR_RETURN(o, t.GetObject(bucket, key));
    return OkStatus();
  }));
  return o;
}

Result<OpenedObject> ObjectCommands::GetObject(const Principal& p, const std::string& bucket,
                                               const std::string& key,
                                               const std::string& range_header,
                                               std::optional<int> part_number) {
  STRATO_ASSIGN_OR_RETURN(Bucket b, OwnedBucket(p, bucket));
  if (part_number && !range_header.empty()) {
    return BadRequest("InvalidRequest",
                      "Cannot specify both Range header and partNumber query parameter.");
  }
  // A concurrent overwrite may remove the file between the lookup and the open: look again.
  for (int attempt = 0;; ++attempt) {
    STRATO_ASSIGN_OR_RETURN(ObjectRecord o, HeadObject(p, bucket, key));
    OpenedObject out;
    if (part_number) {
      STRATO_ASSIGN_OR_RETURN(out.range, PartRange(o, *part_number));
    } else {
      STRATO_ASSIGN_OR_RETURN(out.range,
                              ParseByteRange(range_header, static_cast<uint64_t>(o.size)));
    }
    uint64_t first = out.range ? out.range->first : 0;
    uint64_t length =
        out.range ? out.range->last - out.range->first + 1 : static_cast<uint64_t>(o.size);
    auto reader = files_.Open(b.id, o.data_file, first, length);
    if (!reader.ok() && attempt < 3) continue;
    STRATO_ASSIGN_OR_RETURN(out.reader, std::move(reader));
    out.record = std::move(o);
    return out;
  }
}

int PartsCount(const ObjectRecord& o) {
  if (o.part_sizes.empty()) return 0;
  return static_cast<int>(std::count(o.part_sizes.begin(), o.part_sizes.end(), ',')) + 1;
}

Result<std::optional<ObjectRange>> PartRange(const ObjectRecord& o, int part_number) {
  STRATO_RETURN_IF_ERROR(CheckPartNumber(part_number));
  const Status unsatisfiable(416, "InvalidPartNumber",
                             "The requested partnumber is not "
                             "satisfiable.");
  if (o.part_sizes.empty()) {  // one part: the whole object
    if (part_number != 1) return unsatisfiable;
    return std::optional<ObjectRange>{};
  }
  uint64_t first = 0;
  int n = 1;
  for (std::string_view rest = o.part_sizes; !rest.empty(); ++n) {
    size_t comma = rest.find(',');
    std::string_view field = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    uint64_t size = 0;
    std::from_chars(field.data(), field.data() + field.size(), size);
    if (n == part_number) {
      if (size == 0) return unsatisfiable;
      return std::optional<ObjectRange>{ObjectRange{first, first + size - 1}};
    }
    first += size;
  }
  return unsatisfiable;
}

Status ObjectCommands::DeleteObject(const Principal& p, const std::string& bucket,
                                    const std::string& key) {
  STRATO_ASSIGN_OR_RETURN(Bucket b, OwnedBucket(p, bucket));
  STRATO_RETURN_IF_ERROR(ValidateObjectKey(key));
  std::string removed;
  STRATO_RETURN_IF_ERROR(env_.store->Write([&](WriteTxn& t) {
    STRATO_ASSIGN_OR_RETURN(removed, t.DeleteObject(bucket, key));
    return OkStatus();
  }));
  files_.Remove(b.id, removed);
  return OkStatus();
}

Result<ListObjectsResult> ObjectCommands::ListObjects(const Principal& p,
                                                      const ListObjectsInput& in) {
  STRATO_RETURN_IF_ERROR(OwnedBucket(p, in.bucket).status());
  if (in.max_keys < 0) {
    return BadRequest("InvalidArgument", "max-keys must be a non-negative integer.");
  }
  const int max_keys = std::min(in.max_keys, 1000);
  ListObjectsResult out;
  std::string after = in.after;
  int returned = 0;
  // Pages through the keys; keys under one common prefix count once, so skip past them.
  while (returned < max_keys) {
    std::vector<ObjectRecord> page;
    STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
      STRATO_ASSIGN_OR_RETURN(page, t.ListObjects(in.bucket, in.prefix, after, 1000));
      return OkStatus();
    }));
    if (page.empty()) return out;
    for (ObjectRecord& o : page) {
      if (returned == max_keys) {
        out.truncated = true;
        return out;
      }
      size_t cut =
          in.delimiter.empty() ? std::string::npos : o.key.find(in.delimiter, in.prefix.size());
      if (cut != std::string::npos) {
        std::string common = o.key.substr(0, cut + in.delimiter.size());
        after = common + std::string(1, '\xff');  // past every key under it (approximately)
        if (common <= in.after) continue;
        out.common_prefixes.push_back(common);
        out.next_after = common;
        ++returned;
        break;  // re-query from past this prefix
      }
      after = o.key;
      out.next_after = o.key;
      out.objects.push_back(std::move(o));
      ++returned;
    }
  }
  // Exactly max_keys returned: truncated if anything is left.
  std::vector<ObjectRecord> more;
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    STRATO_ASSIGN_OR_RETURN(more, t.ListObjects(in.bucket, in.prefix, after, 1));
    return OkStatus();
  }));
  out.truncated = !more.empty();
  return out;
}

Result<ObjectRecord> ObjectCommands::CopyObject(
    const Principal& p, const std::string& src_bucket, const std::string& src_key,
    const std::string& dst_bucket, const std::string& dst_key,
    const std::optional<PutObjectInput>& replace_metadata, const SourceCheck& check_source) {
  STRATO_ASSIGN_OR_RETURN(OpenedObject src, GetObject(p, src_bucket, src_key));
  STRATO_ASSIGN_OR_RETURN(Bucket dst, OwnedBucket(p, dst_bucket));
  STRATO_RETURN_IF_ERROR(ValidateObjectKey(dst_key));
  if (check_source) STRATO_RETURN_IF_ERROR(check_source(src.record));
  if (src_bucket == dst_bucket && src_key == dst_key && !replace_metadata) {
    return BadRequest("InvalidRequest",
                      "This copy request is illegal because it is trying to copy an object to "
                      "itself without changing the object's metadata, storage class, website "
                      "redirect location or encryption attributes.");
  }
  ObjectReader& reader = *src.reader;
  STRATO_ASSIGN_OR_RETURN(WrittenFile f,
                          files_.Write(
                              dst.id, [&](char* out, size_t max) { return reader.Read(out, max); },
                              kMaxObjectSize, /*with_sha256=*/false));
  // The bytes are the source's, so its verified checksum still describes them.
  if (replace_metadata) {
    return Commit(dst, dst_key, f, replace_metadata->content_type,
                  ObjectMetadataJson(replace_metadata->user_metadata),
                  ObjectMetadataJson(replace_metadata->headers), src.record.checksum);
  }
  return Commit(dst, dst_key, f, src.record.content_type, src.record.user_metadata,
                src.record.headers, src.record.checksum);
}

Result<size_t> ObjectCommands::Reconcile() {
  files_.ClearScratch();
  std::map<std::string, std::set<std::string>> referenced;  // bucket id -> data files
  STRATO_RETURN_IF_ERROR(env_.store->Read([&](ReadTxn& t) {
    STRATO_ASSIGN_OR_RETURN(auto buckets, t.ListBuckets(""));
    for (const Bucket& b : buckets) {
      auto& files = referenced[b.id];
      for (std::string after;;) {
        STRATO_ASSIGN_OR_RETURN(auto page, t.ListObjects(b.name, "", after, 1000));
        for (const auto& o : page) files.insert(o.data_file);
        if (page.size() < 1000) break;
        after = page.back().key;
      }
      std::string after_key, after_id;
      for (;;) {
        STRATO_ASSIGN_OR_RETURN(auto uploads, t.ListUploads(b.name, "", after_key, after_id, 1000));
        for (const auto& u : uploads) {
          STRATO_ASSIGN_OR_RETURN(auto parts, t.ListParts(u.id, 0, kMaxParts));
          for (const auto& p : parts) files.insert(p.data_file);
        }
        if (uploads.size() < 1000) break;
        after_key = uploads.back().key;
        after_id = uploads.back().id;
      }
    }
    return OkStatus();
  }));
  return files_.RemoveUnreferenced(referenced);
}

}  // namespace strato
