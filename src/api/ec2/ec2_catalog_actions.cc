// DescribeRegions, DescribeAvailabilityZones, DescribeInstanceTypes: the catalog as EC2
// shows it (one region, its zones, the compiled-in instance types).
#include <algorithm>

#include "api/ec2/ec2_api.h"
#include "core/instance_types.h"

namespace strato::api::ec2 {
namespace {

// Only the filters that narrow by name are meaningful for a one-region catalog; any other
// filter is refused rather than ignored.
Status NameFilter(const std::vector<Ec2Filter>& filters, std::string_view accepted,
                  std::vector<std::string>& names) {
  for (const auto& f : filters) {
    if (f.name != accepted) {
      return InvalidParameter("The filter '" + f.name + "' is invalid.");
    }
    names.insert(names.end(), f.values.begin(), f.values.end());
  }
  return OkStatus();
}

bool Selected(const std::vector<std::string>& names, std::string_view name) {
  return names.empty() || std::find(names.begin(), names.end(), name) != names.end();
}

std::string Endpoint(const http::Request& req) {
  const std::string* host = req.Header("host");
  return host ? "http://" + *host : "";
}

}  // namespace

void RegisterCatalogActions(Ec2Api& api) {
  const Ec2Deps* d = &api.deps();
  api.Register("DescribeRegions", {"RegionName.#", "Filter.#.Name", "Filter.#.Value.#",
                                   "AllRegions"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 STRATO_ASSIGN_OR_RETURN(auto names, c.params.List("RegionName"));
                 STRATO_ASSIGN_OR_RETURN(auto filters, c.params.Filters());
                 STRATO_RETURN_IF_ERROR(NameFilter(filters, "region-name", names));
                 STRATO_RETURN_IF_ERROR(c.params.Bool("AllRegions").status());
                 for (const auto& n : names) {
                   if (n != d->env->region && filters.empty()) {
                     return InvalidParameter("Invalid region: " + n + ".");
                   }
                 }
                 x.Open("regionInfo");
                 if (Selected(names, d->env->region)) {
                   x.Open("item");
                   x.Leaf("regionName", d->env->region);
                   x.Leaf("regionEndpoint", Endpoint(c.request));
                   x.Leaf("optInStatus", "opt-in-not-required");
                   x.Close();
                 }
                 x.Close();
                 return OkStatus();
               });

  api.Register("DescribeAvailabilityZones",
               {"ZoneName.#", "ZoneId.#", "Filter.#.Name", "Filter.#.Value.#", "AllAvailabilityZones"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 STRATO_ASSIGN_OR_RETURN(auto names, c.params.List("ZoneName"));
                 STRATO_ASSIGN_OR_RETURN(auto ids, c.params.List("ZoneId"));
                 STRATO_ASSIGN_OR_RETURN(auto filters, c.params.Filters());
                 STRATO_RETURN_IF_ERROR(c.params.Bool("AllAvailabilityZones").status());
                 STRATO_RETURN_IF_ERROR(NameFilter(filters, "zone-name", names));
                 const auto& zones = d->env->zones;
                 auto zone_id = [&](size_t n) {
                   return d->env->region + "-az" + std::to_string(n + 1);
                 };
                 for (const auto& n : names) {
                   if (filters.empty() && std::find(zones.begin(), zones.end(), n) == zones.end()) {
                     return InvalidParameter("The zone '" + n + "' does not exist.");
                   }
                 }
                 x.Open("availabilityZoneInfo");
                 for (size_t n = 0; n < zones.size(); ++n) {
                   if (!Selected(names, zones[n]) || !Selected(ids, zone_id(n))) continue;
                   x.Open("item");
                   x.Leaf("zoneName", zones[n]);
                   x.Leaf("zoneState", "available");
                   x.Leaf("regionName", d->env->region);
                   x.Leaf("zoneId", zone_id(n));
                   x.Leaf("zoneType", "availability-zone");
                   x.Leaf("optInStatus", "opt-in-not-required");
                   x.Leaf("groupName", d->env->region);
                   x.Leaf("networkBorderGroup", d->env->region);
                   x.Empty("messageSet");
                   x.Close();
                 }
                 x.Close();
                 return OkStatus();
               });

  api.Register(
      "DescribeInstanceTypes",
      {"InstanceType.#", "Filter.#.Name", "Filter.#.Value.#", "MaxResults", "NextToken"},
      [](const Ec2Call& c, XmlWriter& x) {
        STRATO_ASSIGN_OR_RETURN(auto names, c.params.List("InstanceType"));
        STRATO_ASSIGN_OR_RETURN(auto filters, c.params.Filters());
        STRATO_RETURN_IF_ERROR(NameFilter(filters, "instance-type", names));
        STRATO_ASSIGN_OR_RETURN(auto max, c.params.Int("MaxResults", 5, 100));
        for (const auto& n : names) {
          if (filters.empty() && !FindInstanceType(n)) {
            return BadRequest("InvalidInstanceType",
                              "The following supplied instance types do not exist: [" + n + "]");
          }
        }
        std::vector<const InstanceType*> selected;
        for (const auto& t : InstanceTypeCatalog()) {
          if (Selected(names, t.name)) selected.push_back(&t);
        }
        // The catalog is fixed, so an offset is a stable cursor.
        size_t start = 0;
        if (auto token = c.params.Optional("NextToken")) {
          char* end = nullptr;
          unsigned long v = std::strtoul(token->c_str(), &end, 10);
          if (token->empty() || *end || v > selected.size()) {
            return InvalidParameter("The NextToken '" + *token + "' is invalid.");
          }
          start = v;
        }
        size_t stop = max ? std::min(selected.size(), start + static_cast<size_t>(*max))
                          : selected.size();
        x.Open("instanceTypeSet");
        for (size_t n = start; n < stop; ++n) {
          const InstanceType& t = *selected[n];
          x.Open("item");
          x.Leaf("instanceType", t.name);
          x.Leaf("currentGeneration", true);
          x.Leaf("bareMetal", false);
          x.Leaf("hypervisor", "kvm");
          x.Open("supportedVirtualizationTypes");
          x.Leaf("item", "hvm");
          x.Close();
          x.Open("processorInfo");
          x.Open("supportedArchitectures");
          x.Leaf("item", "x86_64");
          x.Close();
          x.Close();
          x.Open("vCpuInfo");
          x.Leaf("defaultVCpus", t.vcpus);
          x.Leaf("defaultCores", t.vcpus);
          x.Leaf("defaultThreadsPerCore", 1);
          x.Close();
          x.Open("memoryInfo");
          x.Leaf("sizeInMiB", t.memory_mib);
          x.Close();
          x.Close();
        }
        x.Close();
        if (stop < selected.size()) x.Leaf("nextToken", std::to_string(stop));
        return OkStatus();
      });
}

}  // namespace strato::api::ec2
