#pragma once
// SqliteTxn: the WriteTxn (and ReadTxn) implementation over one SQLite connection.
// The store opens and closes the surrounding transaction; this class only runs queries.
// Not thread-safe: lives for one transaction on one thread.

#include "store/sqlite/sqlite_db.h"
#include "store/store.h"

namespace strato::sqlite {

class SqliteTxn final : public WriteTxn {
 public:
  explicit SqliteTxn(Connection& db) : db_(db) {}

  Result<Tenant> GetTenant(const std::string& id) override;
  Result<Tenant> GetTenantByName(const std::string& name) override;
  Result<std::vector<Tenant>> ListTenants(const Page& page) override;
  Result<User> GetUser(const Scope& scope, const std::string& id) override;
  Result<std::vector<User>> ListUsers(const Scope& scope, const Page& page) override;
  Result<AccessKey> GetAccessKey(const Scope& scope, const std::string& id) override;
  Result<std::vector<AccessKey>> ListAccessKeys(const Scope& scope, const Page& page) override;
  Result<Host> GetHost(const std::string& id) override;
  Result<std::vector<Host>> ListHosts(const HostFilter& filter, const Page& page) override;
  Result<HostFit> CountHostsThatFit(int vcpus, int64_t memory_mib) override;
  Result<Instance> GetInstance(const Scope& scope, const std::string& id) override;
  Result<std::vector<Instance>> ListInstances(const Scope& scope, const InstanceFilter& filter,
                                              const Page& page) override;
  Result<std::vector<std::pair<std::string, int64_t>>> CountInstancesByState() override;
  Result<Image> GetImage(const Scope& scope, const std::string& id) override;
  Result<std::vector<Image>> ListImages(const Scope& scope, const Page& page) override;
  Result<std::vector<std::string>> ListLaunchPermissions(const std::string& image_id) override;
  Result<bool> HasLaunchPermission(const std::string& image_id,
                                   const std::string& tenant_id) override;
  Result<KeyPair> GetKeyPair(const Scope& scope, const std::string& name) override;
  Result<std::vector<KeyPair>> ListKeyPairs(const Scope& scope, const Page& page) override;
  Result<std::map<std::string, std::string>> GetTags(const Scope& scope,
                                                     const std::string& resource_id) override;
  Result<std::optional<std::string>> GetMeta(const std::string& key) override;

  Status InsertTenant(const Tenant& t) override;
  Status InsertUser(const User& u) override;
  Status InsertAccessKey(const AccessKey& k) override;
  Status DeleteAccessKey(const Scope& scope, const std::string& id) override;
  Status InsertHost(const Host& h) override;
  Status SetHostEnabled(const std::string& id, bool enabled) override;
  Status InsertInstance(const Instance& i) override;
  Status UpdateInstance(const Instance& i) override;
  Status DeleteInstance(const std::string& id) override;
  Result<int64_t> PurgeTerminatedInstances(TimeMs before) override;
  Status SetTag(const std::string& tenant_id, const std::string& resource_id,
                const std::string& key, const std::string& value) override;
  Status DeleteTag(const std::string& tenant_id, const std::string& resource_id,
                   const std::string& key) override;
  Status InsertImage(const Image& i) override;
  Status DeleteImage(const std::string& id) override;
  Status SetImagePublic(const std::string& id, bool is_public) override;
  Status SetImageDescription(const std::string& id, const std::string& description) override;
  Status AddLaunchPermission(const std::string& image_id, const std::string& tenant_id) override;
  Status RemoveLaunchPermission(const std::string& image_id,
                                const std::string& tenant_id) override;
  Status InsertKeyPair(const KeyPair& k) override;
  Status DeleteKeyPair(const std::string& tenant_id, const std::string& name) override;
  Status SetMeta(const std::string& key, const std::string& value) override;

  // ---- object store (sqlite_object_txn.cc) ----
  Result<Bucket> GetBucket(const std::string& name) override;
  Result<std::vector<Bucket>> ListBuckets(const std::string& tenant_id) override;
  Result<ObjectRecord> GetObject(const std::string& bucket, const std::string& key) override;
  Result<std::vector<ObjectRecord>> ListObjects(const std::string& bucket,
                                                const std::string& prefix,
                                                const std::string& after, int limit) override;
  Result<bool> BucketHasObjects(const std::string& bucket) override;
  Status InsertBucket(const Bucket& b) override;
  Status DeleteBucket(const std::string& name) override;
  Result<std::string> PutObject(const ObjectRecord& o) override;
  Result<std::string> DeleteObject(const std::string& bucket, const std::string& key) override;
  Result<MultipartUpload> GetUpload(const std::string& id) override;
  Result<std::vector<MultipartUpload>> ListUploads(const std::string& bucket,
                                                   const std::string& prefix,
                                                   const std::string& after_key,
                                                   const std::string& after_id,
                                                   int limit) override;
  Result<std::vector<UploadPart>> ListParts(const std::string& upload_id, int after,
                                            int limit) override;
  Status InsertUpload(const MultipartUpload& u) override;
  Result<std::vector<std::string>> DeleteUpload(const std::string& id) override;
  Result<std::string> PutPart(const UploadPart& p) override;

  // VPCs, subnets, network interfaces (sqlite_network_txn.cc).
  Result<Vpc> GetVpc(const Scope& scope, const std::string& id) override;
  Result<std::vector<Vpc>> ListVpcs(const Scope& scope, const Page& page) override;
  Result<std::optional<Vpc>> GetDefaultVpc(const std::string& tenant_id) override;
  Result<Subnet> GetSubnet(const Scope& scope, const std::string& id) override;
  Result<std::vector<Subnet>> ListSubnets(const Scope& scope, const SubnetFilter& filter,
                                          const Page& page) override;
  Result<std::optional<Subnet>> GetDefaultSubnet(const std::string& tenant_id) override;
  Result<std::vector<NetworkInterface>> ListNetworkInterfaces(
      const NetworkInterfaceFilter& filter) override;
  Result<std::optional<int64_t>> MaxAddressInSubnet(const std::string& subnet_id) override;
  Status InsertVpc(const Vpc& v) override;
  Status DeleteVpc(const std::string& id) override;
  Status InsertSubnet(const Subnet& s) override;
  Status DeleteSubnet(const std::string& id) override;
  Status InsertNetworkInterface(const NetworkInterface& n) override;

  // Block storage (sqlite_volume_txn.cc).
  Result<Volume> GetVolume(const Scope& scope, const std::string& id) override;
  Result<std::vector<Volume>> ListVolumes(const Scope& scope, const VolumeFilter& filter,
                                          const Page& page) override;
  Result<Snapshot> GetSnapshot(const Scope& scope, const std::string& id) override;
  Result<std::vector<Snapshot>> ListSnapshots(const Scope& scope, const SnapshotFilter& filter,
                                              const Page& page) override;
  Result<std::vector<VolumeModification>> ListVolumeModifications(
      const Scope& scope, const std::vector<std::string>& volume_ids, const Page& page) override;
  Result<Blob> GetBlob(const std::string& id) override;
  Result<std::vector<Blob>> ListBlobs(std::optional<BlobState> state, const Page& page) override;
  Result<std::vector<Blob>> ListUnreferencedBlobs(int limit) override;
  Status InsertVolume(const Volume& v) override;
  Status UpdateVolume(const Volume& v) override;
  Status DeleteVolume(const std::string& id) override;
  Status PutVolumeModification(const VolumeModification& m) override;
  Status InsertSnapshot(const Snapshot& s) override;
  Status UpdateSnapshot(const Snapshot& s) override;
  Status DeleteSnapshot(const std::string& id) override;
  Status InsertBlob(const Blob& b) override;
  Status UpdateBlob(const Blob& b) override;
  Status DeleteBlob(const std::string& id) override;

  // Image disks and root volumes (sqlite_image_txn.cc).
  Result<ImageData> GetImageData(const std::string& image_id) override;
  Result<std::vector<ImageData>> ListImageData(std::optional<ImageDataState> state,
                                               int limit) override;
  Result<std::optional<RootVolume>> GetRootVolumeOf(const std::string& instance_id) override;
  Result<std::optional<RootVolume>> GetRootVolume(const std::string& volume_id) override;
  Status PutImageData(const ImageData& d) override;
  Status DeleteImageData(const std::string& image_id) override;
  Status PutRootVolume(const RootVolume& r) override;
  Status DeleteRootVolume(const std::string& volume_id) override;
  // Security groups and elastic IPs (sqlite_security_group_txn.cc).
  Result<SecurityGroup> GetSecurityGroup(const Scope& scope, const std::string& id) override;
  Result<std::vector<SecurityGroup>> ListSecurityGroups(const Scope& scope,
                                                        const SecurityGroupFilter& filter) override;
  Result<std::vector<std::string>> ListInstanceSecurityGroups(
      const std::string& instance_id) override;
  Result<std::vector<SecurityGroupMember>> ListSecurityGroupMembers(
      const std::vector<std::string>& group_ids) override;
  Result<Address> GetAddress(const Scope& scope, const std::string& id) override;
  Result<std::vector<Address>> ListAddresses(const Scope& scope,
                                             const AddressFilter& filter) override;
  Result<bool> GetMapPublicIpOnLaunch(const std::string& subnet_id) override;
  Status InsertSecurityGroup(const SecurityGroup& g) override;
  Status DeleteSecurityGroup(const std::string& id) override;
  Status ReplaceSecurityGroupRules(const std::string& group_id,
                                   const std::vector<SecurityGroupRule>& rules) override;
  Status SetInstanceSecurityGroups(const std::string& instance_id,
                                   const std::vector<std::string>& group_ids) override;
  Status InsertAddress(const Address& a) override;
  Status UpdateAddress(const Address& a) override;
  Status DeleteAddress(const std::string& id) override;
  Status SetMapPublicIpOnLaunch(const std::string& subnet_id, bool on) override;
  // Instance contexts (sqlite_context_txn.cc).
  Result<InstanceContext> GetInstanceContext(const Scope& scope,
                                             const std::string& instance_id) override;
  Status PutInstanceContext(const InstanceContext& c) override;

 private:
  Status LoadTags(const Scope& scope, std::vector<Instance>& instances);
  // Interfaces, security groups and elastic IPs of a page of instances (sorted by id).
  Status LoadInterfaces(std::vector<Instance>& instances);
  Connection& db_;
};

}  // namespace strato::sqlite
