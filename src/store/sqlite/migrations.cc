#include "store/sqlite/migrations.h"

#include <array>
#include <string>

namespace strato::sqlite {
namespace {

// Append only: a published migration never changes.
constexpr std::array<const char*, 16> kMigrations = {
    // 1: the foundation schema.
    R"sql(
CREATE TABLE tenants (
  id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at BIGINT NOT NULL);
CREATE TABLE users (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL REFERENCES tenants(id), name TEXT NOT NULL,
  role TEXT NOT NULL, created_at BIGINT NOT NULL, UNIQUE (tenant_id, name));
CREATE TABLE access_keys (
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES users(id), tenant_id TEXT NOT NULL,
  secret_sealed BLOB NOT NULL, active INTEGER NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE hosts (
  id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, zone TEXT NOT NULL, driver TEXT NOT NULL,
  vcpus INTEGER NOT NULL, memory_mib BIGINT NOT NULL, cpu_ratio DOUBLE PRECISION NOT NULL,
  enabled INTEGER NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE instances (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT NOT NULL, image_id TEXT NOT NULL,
  instance_type TEXT NOT NULL, vcpus INTEGER NOT NULL, memory_mib BIGINT NOT NULL,
  zone TEXT NOT NULL, zone_requested INTEGER NOT NULL, host_id TEXT, last_host_id TEXT NOT NULL,
  state TEXT NOT NULL, state_reason TEXT NOT NULL, desired_state TEXT NOT NULL,
  force_stop INTEGER NOT NULL, reboot_generation BIGINT NOT NULL,
  placement_policy TEXT NOT NULL, launched_at BIGINT NOT NULL, updated_at BIGINT NOT NULL,
  terminated_at BIGINT NOT NULL);
CREATE INDEX instances_by_tenant ON instances (tenant_id, id);
CREATE INDEX instances_by_state ON instances (state);
CREATE INDEX instances_by_host ON instances (host_id);
CREATE TABLE tags (
  resource_id TEXT NOT NULL, tenant_id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
  PRIMARY KEY (resource_id, key));
CREATE INDEX tags_by_key ON tags (tenant_id, key, value);
CREATE TABLE images (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT NOT NULL, description TEXT NOT NULL,
  is_public INTEGER NOT NULL, state TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE key_pairs (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, name TEXT NOT NULL, public_key TEXT NOT NULL,
  fingerprint TEXT NOT NULL, created_at BIGINT NOT NULL, UNIQUE (tenant_id, name));
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
)sql",
    // 2: the object store.
    R"sql(
CREATE TABLE buckets (
  name TEXT PRIMARY KEY, id TEXT NOT NULL UNIQUE, tenant_id TEXT NOT NULL,
  created_at BIGINT NOT NULL);
CREATE INDEX buckets_by_tenant ON buckets (tenant_id, name);
CREATE TABLE objects (
  bucket TEXT NOT NULL REFERENCES buckets(name), key TEXT NOT NULL, size BIGINT NOT NULL,
  etag TEXT NOT NULL, content_type TEXT NOT NULL, user_metadata TEXT NOT NULL,
  data_file TEXT NOT NULL, created_at BIGINT NOT NULL, PRIMARY KEY (bucket, key));
CREATE TABLE multipart_uploads (
  id TEXT PRIMARY KEY, bucket TEXT NOT NULL REFERENCES buckets(name), key TEXT NOT NULL,
  content_type TEXT NOT NULL, user_metadata TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE INDEX multipart_uploads_by_bucket ON multipart_uploads (bucket, key, id);
CREATE TABLE multipart_parts (
  upload_id TEXT NOT NULL REFERENCES multipart_uploads(id), part_number INTEGER NOT NULL,
  size BIGINT NOT NULL, etag TEXT NOT NULL, data_file TEXT NOT NULL, created_at BIGINT NOT NULL,
  PRIMARY KEY (upload_id, part_number));
)sql",
    // 3: VPCs, subnets and network interfaces (one per instance: its private address and
    // MAC). (subnet_id, ip_num) and mac are unique, so no address or MAC is ever given
    // twice; an instance's interfaces go when it is terminated or deleted (triggers), so
    // every path that ends an instance releases its addresses in the same transaction.
    R"sql(
CREATE TABLE vpcs (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, cidr TEXT NOT NULL, is_default INTEGER NOT NULL,
  created_at BIGINT NOT NULL);
CREATE INDEX vpcs_by_tenant ON vpcs (tenant_id, id);
CREATE UNIQUE INDEX vpcs_one_default ON vpcs (tenant_id) WHERE is_default = 1;
CREATE TABLE subnets (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, vpc_id TEXT NOT NULL REFERENCES vpcs(id),
  cidr TEXT NOT NULL, is_default INTEGER NOT NULL, created_at BIGINT NOT NULL);
CREATE INDEX subnets_by_tenant ON subnets (tenant_id, id);
CREATE INDEX subnets_by_vpc ON subnets (vpc_id);
CREATE UNIQUE INDEX subnets_one_default ON subnets (tenant_id) WHERE is_default = 1;
CREATE TABLE network_interfaces (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, instance_id TEXT NOT NULL,
  vpc_id TEXT NOT NULL, subnet_id TEXT NOT NULL REFERENCES subnets(id),
  private_ip TEXT NOT NULL, ip_num BIGINT NOT NULL, mac TEXT NOT NULL UNIQUE,
  created_at BIGINT NOT NULL, UNIQUE (subnet_id, ip_num));
CREATE INDEX network_interfaces_by_instance ON network_interfaces (instance_id);
CREATE INDEX network_interfaces_by_vpc ON network_interfaces (vpc_id);
CREATE TRIGGER instances_terminated_release_addresses AFTER UPDATE OF state ON instances
  WHEN NEW.state = 'terminated'
  BEGIN DELETE FROM network_interfaces WHERE instance_id = NEW.id; END;
CREATE TRIGGER instances_deleted_release_addresses AFTER DELETE ON instances
  BEGIN DELETE FROM network_interfaces WHERE instance_id = OLD.id; END;
)sql",
    // 4: block storage — volumes, snapshots and the blobs (qcow2 layers) holding their data.
    R"sql(
CREATE TABLE blobs (
  id TEXT PRIMARY KEY, backing_id TEXT NOT NULL, size_bytes BIGINT NOT NULL,
  state TEXT NOT NULL, state_reason TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE INDEX blobs_by_backing ON blobs (backing_id);
CREATE INDEX blobs_by_state ON blobs (state);
CREATE TABLE volumes (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, zone TEXT NOT NULL, volume_type TEXT NOT NULL,
  size_gib BIGINT NOT NULL, iops BIGINT NOT NULL, throughput_mibps BIGINT NOT NULL,
  snapshot_id TEXT NOT NULL, state TEXT NOT NULL, state_reason TEXT NOT NULL,
  blob_id TEXT NOT NULL, applied_size_gib BIGINT NOT NULL, instance_id TEXT NOT NULL,
  device TEXT NOT NULL, attach_state TEXT NOT NULL, force_detach INTEGER NOT NULL,
  attached_at BIGINT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
CREATE INDEX volumes_by_tenant ON volumes (tenant_id, id);
CREATE INDEX volumes_by_instance ON volumes (instance_id);
CREATE INDEX volumes_by_blob ON volumes (blob_id);
CREATE TABLE snapshots (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, volume_id TEXT NOT NULL,
  volume_size_gib BIGINT NOT NULL, description TEXT NOT NULL, state TEXT NOT NULL,
  state_reason TEXT NOT NULL, progress INTEGER NOT NULL, blob_id TEXT NOT NULL,
  pending_blob_id TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL);
CREATE INDEX snapshots_by_tenant ON snapshots (tenant_id, id);
CREATE INDEX snapshots_by_blob ON snapshots (blob_id);
CREATE INDEX snapshots_by_volume ON snapshots (volume_id);
)sql",
    // 5: the verified S3 additional checksum of an object ("CRC32:<base64>").
    R"sql(
ALTER TABLE objects ADD COLUMN checksum TEXT NOT NULL DEFAULT '';
)sql",
    // 6: image disks (the blob an image boots from) and instances' root volumes.
    R"sql(
CREATE TABLE image_data (
  image_id TEXT PRIMARY KEY, blob_id TEXT NOT NULL, snapshot_id TEXT NOT NULL,
  state TEXT NOT NULL, state_reason TEXT NOT NULL, source_format TEXT NOT NULL,
  compression TEXT NOT NULL, spool_path TEXT NOT NULL, uploaded_bytes BIGINT NOT NULL,
  virtual_size BIGINT NOT NULL, stored_bytes BIGINT NOT NULL, sha256 TEXT NOT NULL,
  created_at BIGINT NOT NULL);
CREATE INDEX image_data_by_blob ON image_data (blob_id);
CREATE INDEX image_data_by_snapshot ON image_data (snapshot_id);
CREATE TABLE root_volumes (
  volume_id TEXT PRIMARY KEY, instance_id TEXT NOT NULL,
  delete_on_termination INTEGER NOT NULL, instance_store INTEGER NOT NULL);
CREATE INDEX root_volumes_by_instance ON root_volumes (instance_id);
)sql",
    // 7: security groups, their rules and members; elastic IPs.
    R"sql(
CREATE TABLE security_groups (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, vpc_id TEXT NOT NULL, name TEXT NOT NULL,
  description TEXT NOT NULL, is_default INTEGER NOT NULL, created_at BIGINT NOT NULL,
  UNIQUE (vpc_id, name));
CREATE INDEX security_groups_by_tenant ON security_groups (tenant_id, id);
CREATE TABLE security_group_rules (
  id TEXT PRIMARY KEY, group_id TEXT NOT NULL, egress INTEGER NOT NULL, protocol TEXT NOT NULL,
  from_port INTEGER NOT NULL, to_port INTEGER NOT NULL, cidr TEXT NOT NULL,
  source_group_id TEXT NOT NULL, description TEXT NOT NULL);
CREATE INDEX security_group_rules_by_group ON security_group_rules (group_id);
CREATE INDEX security_group_rules_by_source ON security_group_rules (source_group_id);
CREATE TABLE instance_security_groups (
  instance_id TEXT NOT NULL, group_id TEXT NOT NULL, position INTEGER NOT NULL,
  PRIMARY KEY (instance_id, group_id));
CREATE INDEX instance_security_groups_by_group ON instance_security_groups (group_id);
CREATE TABLE addresses (
  id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, public_ip TEXT NOT NULL UNIQUE,
  ip_num BIGINT NOT NULL, instance_id TEXT NOT NULL, association_id TEXT NOT NULL,
  auto_assigned INTEGER NOT NULL, created_at BIGINT NOT NULL);
CREATE INDEX addresses_by_tenant ON addresses (tenant_id, id);
CREATE INDEX addresses_by_instance ON addresses (instance_id);
CREATE TABLE subnet_settings (
  subnet_id TEXT PRIMARY KEY, map_public_ip_on_launch INTEGER NOT NULL);
)sql",
    // 8: what an instance is launched with beyond its shape: key, user-data (base64),
    // metadata options. Goes with its instance.
    R"sql(
CREATE TABLE instance_contexts (
  instance_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, key_name TEXT NOT NULL,
  public_key TEXT NOT NULL, user_data_b64 TEXT NOT NULL, http_tokens TEXT NOT NULL,
  hop_limit INTEGER NOT NULL, http_endpoint TEXT NOT NULL);
CREATE TRIGGER instance_contexts_go_with_instance AFTER DELETE ON instances
  BEGIN DELETE FROM instance_contexts WHERE instance_id = OLD.id; END;
)sql",
    // 9: launch permissions: the tenants (besides the owner) an image is shared with. They go
    // with their image.
    R"sql(
CREATE TABLE image_launch_permissions (
  image_id TEXT NOT NULL, tenant_id TEXT NOT NULL, PRIMARY KEY (image_id, tenant_id));
CREATE INDEX image_launch_permissions_by_tenant ON image_launch_permissions (tenant_id);
CREATE TRIGGER image_launch_permissions_go_with_image AFTER DELETE ON images
  BEGIN DELETE FROM image_launch_permissions WHERE image_id = OLD.id; END;
)sql",
    // 10: DeleteOnTermination belongs to every attachment (data volumes mapped at launch), not
    // only to root devices: it moves from root_volumes to the volume's attachment.
    R"sql(
ALTER TABLE volumes ADD COLUMN delete_on_termination INTEGER NOT NULL DEFAULT 0;
UPDATE volumes SET delete_on_termination = 1
  WHERE id IN (SELECT volume_id FROM root_volumes
               WHERE delete_on_termination <> 0 OR instance_store <> 0);
ALTER TABLE root_volumes DROP COLUMN delete_on_termination;
)sql",
    // 11: S3 multipart checksums: the algorithm an upload was created with, and each part's
    // verified checksum ("SHA256:<base64>"), from which Complete composes the object's.
    R"sql(
ALTER TABLE multipart_uploads ADD COLUMN checksum_algorithm TEXT NOT NULL DEFAULT '';
ALTER TABLE multipart_parts ADD COLUMN checksum TEXT NOT NULL DEFAULT '';
)sql",
    // 12: the latest ModifyVolume of each volume (DescribeVolumesModifications); it goes with
    // its volume. Tags of images deregistered before images took their tags with them go.
    R"sql(
CREATE TABLE volume_modifications (
  volume_id TEXT PRIMARY KEY, tenant_id TEXT NOT NULL, state TEXT NOT NULL,
  status_message TEXT NOT NULL, original_size_gib BIGINT NOT NULL,
  original_volume_type TEXT NOT NULL, original_iops BIGINT NOT NULL,
  original_throughput_mibps BIGINT NOT NULL, target_size_gib BIGINT NOT NULL,
  target_volume_type TEXT NOT NULL, target_iops BIGINT NOT NULL,
  target_throughput_mibps BIGINT NOT NULL, progress INTEGER NOT NULL,
  start_time BIGINT NOT NULL, end_time BIGINT NOT NULL);
CREATE INDEX volume_modifications_by_tenant ON volume_modifications (tenant_id, volume_id);
CREATE TRIGGER volume_modifications_go_with_volume AFTER DELETE ON volumes
  BEGIN DELETE FROM volume_modifications WHERE volume_id = OLD.id; END;
DELETE FROM tags WHERE resource_id LIKE 'ami-%' AND resource_id NOT IN (SELECT id FROM images);
)sql",
    // 13: the response headers an object's uploader set (Cache-Control, Content-Disposition,
    // Content-Encoding, Content-Language, Expires), kept with the object and its upload.
    R"sql(
ALTER TABLE objects ADD COLUMN headers TEXT NOT NULL DEFAULT '{}';
ALTER TABLE multipart_uploads ADD COLUMN headers TEXT NOT NULL DEFAULT '{}';
)sql",
    // 14: a multipart object's part sizes, for GetObject/HeadObject ?partNumber=N.
    R"sql(
ALTER TABLE objects ADD COLUMN part_sizes TEXT NOT NULL DEFAULT '';
)sql",
    // 15: which placement of an instance a host's report is about (see Instance).
    R"sql(
ALTER TABLE instances ADD COLUMN placement_generation BIGINT NOT NULL DEFAULT 0;
)sql",
    // 16: an instance's place among those of its launch (EC2's amiLaunchIndex).
    R"sql(
ALTER TABLE instances ADD COLUMN launch_index INTEGER NOT NULL DEFAULT 0;
)sql",
};

Result<int> CurrentVersion(Connection& db) {
  STRATO_RETURN_IF_ERROR(
      db.Exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)"));
  STRATO_ASSIGN_OR_RETURN(auto stmt, db.Prepare("SELECT MAX(version) FROM schema_version"));
  STRATO_ASSIGN_OR_RETURN(bool row, stmt.Step());
  int version = row && !stmt.IsNull(0) ? static_cast<int>(stmt.Int(0)) : 0;
  sqlite3_reset(stmt.raw());  // else it pins the WAL snapshot and checkpoints never finish
  return version;
}

}  // namespace

int LatestSchemaVersion() { return static_cast<int>(kMigrations.size()); }

Status Migrate(Connection& db) {
  STRATO_ASSIGN_OR_RETURN(int current, CurrentVersion(db));
  for (int v = current + 1; v <= LatestSchemaVersion(); ++v) {
    STRATO_RETURN_IF_ERROR(db.Exec("BEGIN IMMEDIATE"));
    Status s = db.Exec(kMigrations[v - 1]);
    if (s.ok()) s = db.Exec("INSERT INTO schema_version (version) VALUES (" + std::to_string(v) + ")");
    if (!s.ok()) {
      (void)db.Exec("ROLLBACK");
      return Internal("migration " + std::to_string(v) + " failed: " + s.message());
    }
    STRATO_RETURN_IF_ERROR(db.Exec("COMMIT"));
  }
  return OkStatus();
}

}  // namespace strato::sqlite
