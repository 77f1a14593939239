// VPC and subnet actions: CreateVpc, DescribeVpcs, DeleteVpc, CreateSubnet,
// DescribeSubnets, DeleteSubnet over NetworkCommands. A Strato subnet is one L2 segment
// available in every zone of the region; EC2 shows it in the first zone.
#include <algorithm>

#include "api/ec2/ec2_api.h"
#include "api/ec2/ec2_render.h"
#include "api/ec2/ec2_resource_filter.h"
#include "commands/address_commands.h"

namespace strato::api::ec2 {
namespace {

const std::vector<std::string> kVpcFilters = {
    "vpc-id",   "cidr",           "cidr-block-association.cidr-block", "state", "is-default",
    "owner-id", "dhcp-options-id"};
const std::vector<std::string> kSubnetFilters = {"subnet-id",      "vpc-id",
                                                 "cidr-block",     "cidr",
                                                 "state",          "availability-zone",
                                                 "default-for-az", "available-ip-address-count",
                                                 "owner-id",       "map-public-ip-on-launch"};

const char* Bool(bool b) { return b ? "true" : "false"; }

// Addresses an instance can still get: the subnet's size less the five EC2 reserves
// (network, gateway, DNS, reserved, broadcast) and those in use.
int64_t AvailableAddresses(const Subnet& s) {
  auto slash = s.cidr.find('/');
  int prefix = slash == std::string::npos ? 32 : std::stoi(s.cidr.substr(slash + 1));
  int64_t size = int64_t{1} << (32 - prefix);
  return std::max<int64_t>(0, size - 5 - s.used_addresses);
}

void WriteVpcFields(XmlWriter& x, const Vpc& v) {
  x.Leaf("vpcId", v.id);
  x.Leaf("ownerId", v.tenant_id);
  x.Leaf("state", "available");
  x.Leaf("cidrBlock", v.cidr);
  x.Open("cidrBlockAssociationSet");
  x.Open("item");
  x.Leaf("cidrBlock", v.cidr);
  x.Leaf("associationId", "vpc-cidr-assoc-" + v.id.substr(4));
  x.Open("cidrBlockState");
  x.Leaf("state", "associated");
  x.Close();
  x.Close();
  x.Close();
  x.Leaf("dhcpOptionsId", "default");
  x.Leaf("instanceTenancy", "default");
  x.Leaf("isDefault", v.is_default);
  WriteTagSet(x, v.tags);
}

void WriteSubnetFields(XmlWriter& x, const Subnet& s, const CommandEnv& env) {
  const std::string& zone = env.zones.front();
  x.Leaf("subnetId", s.id);
  x.Leaf("subnetArn", "arn:aws:ec2:" + env.region + ":" + s.tenant_id + ":subnet/" + s.id);
  x.Leaf("state", "available");
  x.Leaf("ownerId", s.tenant_id);
  x.Leaf("vpcId", s.vpc_id);
  x.Leaf("cidrBlock", s.cidr);
  x.Leaf("availableIpAddressCount", AvailableAddresses(s));
  x.Leaf("availabilityZone", zone);
  x.Leaf("availabilityZoneId", zone);
  x.Leaf("defaultForAz", s.is_default);
  x.Leaf("mapPublicIpOnLaunch", s.map_public_ip_on_launch);
  x.Leaf("assignIpv6AddressOnCreation", false);
  x.Empty("ipv6CidrBlockAssociationSet");
  WriteTagSet(x, s.tags);
}

FilterFields FieldsOf(const Vpc& v) {
  return {{"vpc-id", {v.id}},
          {"cidr", {v.cidr}},
          {"cidr-block-association.cidr-block", {v.cidr}},
          {"state", {"available"}},
          {"is-default", {Bool(v.is_default)}},
          {"owner-id", {v.tenant_id}},
          {"dhcp-options-id", {"default"}}};
}

FilterFields FieldsOf(const Subnet& s, const std::string& zone) {
  return {{"subnet-id", {s.id}},
          {"vpc-id", {s.vpc_id}},
          {"cidr-block", {s.cidr}},
          {"cidr", {s.cidr}},
          {"state", {"available"}},
          {"availability-zone", {zone}},
          {"default-for-az", {Bool(s.is_default)}},
          {"available-ip-address-count", {std::to_string(AvailableAddresses(s))}},
          {"owner-id", {s.tenant_id}},
          {"map-public-ip-on-launch", {Bool(s.map_public_ip_on_launch)}}};
}

// DescribeVpcs / DescribeSubnets: the listed ids (each must exist: `get` answers the
// NotFound) or all of `list`, those passing the filters written as <item>s of `set`.
template <typename T, typename Get, typename List, typename Fields, typename Write>
Status DescribeEach(const Ec2Call& c, XmlWriter& x, std::string_view id_param, std::string_view set,
                    const std::vector<std::string>& known, Get get, List list, Fields fields,
                    Write write) {
  STRATO_ASSIGN_OR_RETURN(auto ids, c.params.List(id_param));
  STRATO_ASSIGN_OR_RETURN(auto filters, c.params.Filters());
  STRATO_RETURN_IF_ERROR(CheckFilterNames(filters, known));
  STRATO_RETURN_IF_ERROR(c.params.Int("MaxResults", 5, 1000).status());
  std::vector<T> items;
  if (ids.empty()) {
    STRATO_ASSIGN_OR_RETURN(items, list());
  }
  for (const auto& id : ids) {
    STRATO_ASSIGN_OR_RETURN(auto item, get(id));
    items.push_back(std::move(item));
  }
  x.Open(set);
  for (const auto& item : items) {
    if (!MatchesAll(filters, fields(item), item.tags)) continue;
    x.Open("item");
    write(item);
    x.Close();
  }
  x.Close();
  return OkStatus();
}

}  // namespace

void RegisterVpcActions(Ec2Api& api) {
  const Ec2Deps* d = &api.deps();
  api.Register(
      "CreateVpc",
      {"CidrBlock", "InstanceTenancy", "AmazonProvidedIpv6CidrBlock",
       "TagSpecification.#.ResourceType", "TagSpecification.#.Tag.#.Key",
       "TagSpecification.#.Tag.#.Value"},
      [d](const Ec2Call& c, XmlWriter& x) {
        STRATO_ASSIGN_OR_RETURN(auto cidr, c.params.Required("CidrBlock"));
        if (auto t = c.params.Optional("InstanceTenancy"); t && *t != "default") {
          return InvalidParameter("InstanceTenancy '" + *t + "' is not supported: only 'default'.");
        }
        STRATO_ASSIGN_OR_RETURN(auto ipv6, c.params.Bool("AmazonProvidedIpv6CidrBlock"));
        if (ipv6.value_or(false)) {
          return BadRequest("Unsupported", "IPv6 CIDR blocks are not supported.");
        }
        STRATO_ASSIGN_OR_RETURN(auto tags, TagsFor(c.params, "vpc", "CreateVpc"));
        STRATO_ASSIGN_OR_RETURN(auto v, d->networks->CreateVpc(c.principal, cidr, tags));
        x.Open("vpc");
        WriteVpcFields(x, v);
        x.Close();
        return OkStatus();
      });

  api.Register(
      "DescribeVpcs", {"VpcId.#", "Filter.#.Name", "Filter.#.Value.#", "MaxResults", "NextToken"},
      [d](const Ec2Call& c, XmlWriter& x) {
        const Principal& p = c.principal;
        return DescribeEach<Vpc>(
            c, x, "VpcId", "vpcSet", kVpcFilters,
            [&](const std::string& id) { return d->networks->GetVpc(p, id); },
            [&] { return d->networks->ListVpcs(p); }, [](const Vpc& v) { return FieldsOf(v); },
            [&](const Vpc& v) { WriteVpcFields(x, v); });
      });

  api.Register("DeleteVpc", {"VpcId"}, [d](const Ec2Call& c, XmlWriter& x) {
    STRATO_ASSIGN_OR_RETURN(auto id, c.params.Required("VpcId"));
    STRATO_RETURN_IF_ERROR(d->networks->DeleteVpc(c.principal, id));
    x.Leaf("return", true);
    return OkStatus();
  });

  api.Register("CreateSubnet",
               {"VpcId", "CidrBlock", "AvailabilityZone", "AvailabilityZoneId",
                "TagSpecification.#.ResourceType", "TagSpecification.#.Tag.#.Key",
                "TagSpecification.#.Tag.#.Value"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 CreateSubnetInput in;
                 STRATO_ASSIGN_OR_RETURN(in.vpc_id, c.params.Required("VpcId"));
                 STRATO_ASSIGN_OR_RETURN(in.cidr, c.params.Required("CidrBlock"));
                 const auto& zones = d->env->zones;
                 for (const char* name : {"AvailabilityZone", "AvailabilityZoneId"}) {
                   auto zone = c.params.Optional(name);
                   if (zone && std::find(zones.begin(), zones.end(), *zone) == zones.end()) {
                     return InvalidParameter("Value (" + *zone + ") for parameter " + name +
                                             " is invalid. Subnets can currently only be "
                                             "created in the following availability zones: " +
                                             zones.front() + ".");
                   }
                 }
                 STRATO_ASSIGN_OR_RETURN(in.tags, TagsFor(c.params, "subnet", "CreateSubnet"));
                 STRATO_ASSIGN_OR_RETURN(auto s, d->networks->CreateSubnet(c.principal, in));
                 x.Open("subnet");
                 WriteSubnetFields(x, s, *d->env);
                 x.Close();
                 return OkStatus();
               });

  api.Register("DescribeSubnets",
               {"SubnetId.#", "Filter.#.Name", "Filter.#.Value.#", "MaxResults", "NextToken"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 const Principal& p = c.principal;
                 const std::string& zone = d->env->zones.front();
                 return DescribeEach<Subnet>(
                     c, x, "SubnetId", "subnetSet", kSubnetFilters,
                     [&](const std::string& id) { return d->networks->GetSubnet(p, id); },
                     [&] { return d->networks->ListSubnets(p, std::nullopt); },
                     [&](const Subnet& s) { return FieldsOf(s, zone); },
                     [&](const Subnet& s) { WriteSubnetFields(x, s, *d->env); });
               });

  // Only MapPublicIpOnLaunch is a subnet attribute Strato keeps.
  api.Register("ModifySubnetAttribute",
               {"SubnetId", "MapPublicIpOnLaunch.Value", "AssignIpv6AddressOnCreation.Value",
                "MapCustomerOwnedIpOnLaunch.Value", "EnableDns64.Value"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 STRATO_ASSIGN_OR_RETURN(auto id, c.params.Required("SubnetId"));
                 STRATO_ASSIGN_OR_RETURN(auto map, c.params.Bool("MapPublicIpOnLaunch.Value"));
                 for (const char* other : {"AssignIpv6AddressOnCreation.Value",
                                           "MapCustomerOwnedIpOnLaunch.Value",
                                           "EnableDns64.Value"}) {
                   if (c.params.Find(other)) {
                     return BadRequest("Unsupported", std::string(other) +
                                                          ": only MapPublicIpOnLaunch can be "
                                                          "modified.");
                   }
                 }
                 if (!map) {
                   return MissingParameter("The request must contain the parameter "
                                           "MapPublicIpOnLaunch.");
                 }
                 STRATO_RETURN_IF_ERROR(
                     AddressCommands(*d->env).SetMapPublicIpOnLaunch(c.principal, id, *map));
                 x.Leaf("return", true);
                 return OkStatus();
               });

  api.Register("DeleteSubnet", {"SubnetId"}, [d](const Ec2Call& c, XmlWriter& x) {
    STRATO_ASSIGN_OR_RETURN(auto id, c.params.Required("SubnetId"));
    STRATO_RETURN_IF_ERROR(d->networks->DeleteSubnet(c.principal, id));
    x.Leaf("return", true);
    return OkStatus();
  });
}

}  // namespace strato::api::ec2
