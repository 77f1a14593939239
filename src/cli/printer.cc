#include "cli/printer.h"

namespace strato::cli {

Printer::Printer(OutputFormat format, std::ostream& out) : format_(format), out_(out) {}

void Printer::PrintList(const Json& page, const std::string& collection,
                        const std::vector<Column>& columns) {
  if (format_ == OutputFormat::kJson) {
    out_ << page.dump(2) << "\n";
    return;
  }
  const auto it = page.is_object() ? page.find(collection) : page.end();
  out_ << RenderRecords(it == page.end() ? Json::array() : *it, columns);
}

void Printer::PrintObject(const Json& object) {
  if (format_ == OutputFormat::kJson) {
    out_ << object.dump(2) << "\n";
    return;
  }
  out_ << RenderFields(object);
}

void Printer::PrintRaw(const std::string& text) { out_ << text << std::flush; }

const std::vector<Column>& InstanceColumns() {
  static const std::vector<Column> kColumns = {
      {"ID", "id"},     {"NAME", "name"},    {"STATE", "state"},    {"TYPE", "instance_type"},
      {"ZONE", "zone"}, {"HOST", "host_id"}, {"IMAGE", "image_id"}, {"PRIVATE_IP", "private_ip"},
      {"TAGS", "tags"}};
  return kColumns;
}

const std::vector<Column>& HostColumns() {
  static const std::vector<Column> kColumns = {{"ID", "id"},
                                               {"NAME", "name"},
                                               {"ZONE", "zone"},
                                               {"DRIVER", "driver"},
                                               {"ENABLED", "enabled"},
                                               {"VCPUS", "vcpus"},
                                               {"MEMORY_MIB", "memory_mib"},
                                               {"CPU_RATIO", "cpu_ratio"},
                                               {"ALLOC_VCPUS", "allocated_vcpus"},
                                               {"ALLOC_MEMORY_MIB", "allocated_memory_mib"},
                                               {"INSTANCES", "instance_count"}};
  return kColumns;
}

const std::vector<Column>& InstanceTypeColumns() {
  static const std::vector<Column> kColumns = {{"NAME", "name"},
                                               {"FAMILY", "family"},
                                               {"VCPUS", "vcpus"},
                                               {"MEMORY_MIB", "memory_mib"},
                                               {"MACHINE", "machine"}};
  return kColumns;
}

const std::vector<Column>& RegionColumns() {
  static const std::vector<Column> kColumns = {{"REGION", "region"}, {"ZONES", "zones"}};
  return kColumns;
}

const std::vector<Column>& TenantColumns() {
  static const std::vector<Column> kColumns = {
      {"ID", "id"}, {"NAME", "name"}, {"CREATED", "created_at"}};
  return kColumns;
}

const std::vector<Column>& UserColumns() {
  static const std::vector<Column> kColumns = {
      {"ID", "id"}, {"NAME", "name"}, {"TENANT", "tenant_id"}, {"ROLE", "role"}};
  return kColumns;
}

const std::vector<Column>& AccessKeyColumns() {
  static const std::vector<Column> kColumns = {{"ACCESS_KEY_ID", "access_key_id"},
                                               {"USER", "user_id"},
                                               {"TENANT", "tenant_id"},
                                               {"STATUS", "status"},
                                               {"CREATED", "created_at"}};
  return kColumns;
}

const std::vector<Column>& TagColumns() {
  static const std::vector<Column> kColumns = {
      {"RESOURCE", "resource_id"}, {"KEY", "key"}, {"VALUE", "value"}};
  return kColumns;
}

const std::vector<Column>& ImageColumns() {
  static const std::vector<Column> kColumns = {
      {"ID", "id"},         {"NAME", "name"},     {"TENANT", "tenant_id"},
      {"PUBLIC", "public"}, {"SHARED", "shared"}, {"STATE", "state"},
      {"CREATED", "created_at"}};
  return kColumns;
}

const std::vector<Column>& KeyPairColumns() {
  static const std::vector<Column> kColumns = {
      {"ID", "id"}, {"NAME", "name"}, {"FINGERPRINT", "fingerprint"}};
  return kColumns;
}

const std::vector<Column>& VpcColumns() {
  static const std::vector<Column> kColumns = {
      {"ID", "id"}, {"CIDR", "cidr"}, {"DEFAULT", "is_default"}, {"CREATED", "created_at"}};
  return kColumns;
}

const std::vector<Column>& SubnetColumns() {
  static const std::vector<Column> kColumns = {{"ID", "id"},
                                               {"VPC", "vpc_id"},
                                               {"CIDR", "cidr"},
                                               {"FREE", "available_ip_address_count"},
                                               {"DEFAULT", "is_default"}};
  return kColumns;
}

const std::vector<Column>& HostIdColumns() {
  static const std::vector<Column> kColumns = {{"HOST_ID", ""}};
  return kColumns;
}

}  // namespace strato::cli
