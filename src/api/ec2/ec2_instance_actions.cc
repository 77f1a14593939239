// Instance actions: RunInstances, DescribeInstances, DescribeInstanceStatus, Start/Stop/
// Reboot/TerminateInstances, GetConsoleOutput. Parse → InstanceCommands → render.
#include <algorithm>

#include "api/ec2/ec2_api.h"
#include "api/ec2/ec2_block_device_mapping.h"
#include "api/ec2/ec2_metadata_params.h"
#include "api/ec2/ec2_render.h"
#include "api/ec2/ec2_resource_filter.h"
#include "core/dns_names.h"
#include "core/volume_model.h"

namespace strato::api::ec2 {
namespace {

const std::vector<std::string> kFilterParams = {"Filter.#.Name", "Filter.#.Value.#"};

std::vector<std::string> With(std::vector<std::string> a, const std::vector<std::string>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::optional<InstanceState> StateOfCode(std::string_view code) {
  for (InstanceState s :
       {InstanceState::kPending, InstanceState::kRunning, InstanceState::kShuttingDown,
        InstanceState::kTerminated, InstanceState::kStopping, InstanceState::kStopped}) {
    if (std::to_string(Ec2StateCode(s)) == code) return s;
  }
  return std::nullopt;
}

// Filters the store answers for a single exact value (indexed, so a page of 10,000
// instances stays cheap); with several values or a wildcard they are judged per instance.
bool StoreCanAnswer(const Ec2Filter& f) {
  return f.values.size() == 1 && f.values[0].find_first_of("*?") == std::string::npos;
}

// The filters judged per instance on what DescribeInstances shows of it.
const std::vector<std::string> kInstanceFields = {"ami-launch-index",
                                                  "image-id",
                                                  "instance-type",
                                                  "availability-zone",
                                                  "reservation-id",
                                                  "root-device-type",
                                                  "root-device-name",
                                                  "architecture",
                                                  "vpc-id",
                                                  "subnet-id",
                                                  "private-ip-address",
                                                  "private-dns-name",
                                                  "ip-address",
                                                  "instance.group-id",
                                                  "instance.group-name",
                                                  "network-interface.network-interface-id",
                                                  "network-interface.mac-address",
                                                  "network-interface.addresses.private-ip-address",
                                                  "network-interface.vpc-id",
                                                  "network-interface.subnet-id",
                                                  "block-device-mapping.volume-id",
                                                  "block-device-mapping.device-name",
                                                  "tag-key"};

FilterFields InstanceFields(const Instance& i) {
  FilterFields f{{"ami-launch-index", {std::to_string(i.launch_index)}},
                 {"image-id", {i.image_id}},
                 {"instance-type", {i.instance_type}},
                 {"availability-zone", {i.zone}},
                 {"reservation-id", {ReservationId(i)}},
                 {"root-device-type", {i.root_device_type()}},
                 {"root-device-name", {std::string(kRootDeviceName)}},
                 {"architecture", {"x86_64"}}};
  for (size_t n = 0; n < i.interfaces.size(); ++n) {
    const NetworkInterface& nic = i.interfaces[n];
    if (n == 0) {  // the instance's own fields are its primary interface's
      f["vpc-id"].push_back(nic.vpc_id);
      f["subnet-id"].push_back(nic.subnet_id);
      f["private-ip-address"].push_back(nic.private_ip);
      f["private-dns-name"].push_back(PrivateDnsName(i.id));
    }
    f["network-interface.network-interface-id"].push_back(nic.id);
    f["network-interface.mac-address"].push_back(nic.mac);
    f["network-interface.addresses.private-ip-address"].push_back(nic.private_ip);
    f["network-interface.vpc-id"].push_back(nic.vpc_id);
    f["network-interface.subnet-id"].push_back(nic.subnet_id);
  }
  if (!i.public_ip.empty()) f["ip-address"].push_back(i.public_ip);
  for (const auto& g : i.security_groups) {
    f["instance.group-id"].push_back(g.id);
    f["instance.group-name"].push_back(g.name);
  }
  for (const BlockDevice& d : i.block_devices) {
    if (d.instance_store) continue;  // not an EBS volume, as in blockDeviceMapping
    f["block-device-mapping.volume-id"].push_back(d.volume_id);
    f["block-device-mapping.device-name"].push_back(d.device);
  }
  return f;
}

// EC2 instance filters: what the store answers as an InstanceFilter, "instance-id" values
// in `ids`, and the rest judged per instance (`per_instance`).
struct ParsedFilters {
  InstanceFilter filter;
  bool has_id_filter = false;
  std::vector<std::string> ids;
  std::vector<Ec2Filter> per_instance;

  bool Keeps(const Instance& i) const {
    return per_instance.empty() || MatchesAll(per_instance, InstanceFields(i), i.tags);
  }
};

Result<ParsedFilters> ParseInstanceFilters(const Ec2Params& params) {
  STRATO_ASSIGN_OR_RETURN(auto filters, params.Filters());
  ParsedFilters out;
  for (const auto& f : filters) {
    const bool tag = f.name.rfind("tag:", 0) == 0 && f.name.size() > 4;
    if (f.values.empty()) {
      return InvalidParameter("The filter '" + f.name + "' must have at least one value.");
    }
    if (f.name == "instance-state-name" || f.name == "instance-state-code") {
      for (const auto& v : f.values) {
        auto s = f.name == "instance-state-name" ? ParseInstanceState(v) : StateOfCode(v);
        if (!s) {
          return InvalidParameter("The filter value '" + v + "' is invalid for " + f.name + ".");
        }
        out.filter.states.push_back(*s);
      }
    } else if (tag && StoreCanAnswer(f)) {
      out.filter.tags.emplace_back(f.name.substr(4), f.values[0]);
    } else if (f.name == "instance-type" && StoreCanAnswer(f)) {
      out.filter.instance_type = f.values[0];
    } else if (f.name == "availability-zone" && StoreCanAnswer(f)) {
      out.filter.zone = f.values[0];
    } else if (f.name == "instance-id") {
      out.has_id_filter = true;
      out.ids.insert(out.ids.end(), f.values.begin(), f.values.end());
    } else if (tag || std::find(kInstanceFields.begin(), kInstanceFields.end(), f.name) !=
                          kInstanceFields.end()) {
      out.per_instance.push_back(f);
    } else {
      return InvalidParameter("The filter '" + f.name + "' is invalid.");
    }
  }
  return out;
}

// The instances a Describe call selects: an id list (every id must exist), an instance-id
// filter (missing ids are simply not there), or one page / all pages of the tenant's.
struct Selection {
  std::vector<Instance> instances;
  std::string next_token;
};

Result<Selection> Select(const Ec2Deps& d, const Ec2Call& c, const ParsedFilters& pf) {
  STRATO_ASSIGN_OR_RETURN(auto ids, c.params.List("InstanceId"));
  STRATO_ASSIGN_OR_RETURN(auto max, c.params.Int("MaxResults", 5, 1000));
  auto token = c.params.Optional("NextToken");
  Selection out;
  if (!ids.empty() || pf.has_id_filter) {
    if (!ids.empty() && (max || token)) {
      return BadRequest("InvalidParameterCombination",
                        "The parameter instancesSet cannot be used with the parameter "
                        "maxResults or nextToken.");
    }
    const bool listed = !ids.empty();
    STRATO_ASSIGN_OR_RETURN(out.instances,
                            d.instances->GetMany(c.principal, listed ? ids : pf.ids, pf.filter,
                                                 /*skip_missing=*/!listed));
    if (listed && pf.has_id_filter) {
      std::erase_if(out.instances, [&](const Instance& i) {
        return std::find(pf.ids.begin(), pf.ids.end(), i.id) == pf.ids.end();
      });
    }
    std::erase_if(out.instances, [&](const Instance& i) { return !pf.Keeps(i); });
    return out;
  }
  ListInstancesInput in;
  in.filter = pf.filter;
  in.page_size = static_cast<int>(max.value_or(1000));
  in.next_token = token.value_or("");
  while (true) {
    STRATO_ASSIGN_OR_RETURN(auto page, d.instances->List(c.principal, in));
    // A page judged per instance may come back short, even empty, with a NextToken: EC2's
    // paging promises no more than that either.
    std::erase_if(page.instances, [&](const Instance& i) { return !pf.Keeps(i); });
    std::move(page.instances.begin(), page.instances.end(), std::back_inserter(out.instances));
    // Without MaxResults EC2 answers everything at once.
    if (max || page.next_token.empty()) {
      out.next_token = page.next_token;
      return out;
    }
    in.next_token = page.next_token;
  }
}

void WriteReservations(XmlWriter& x, const std::vector<Instance>& instances) {
  std::vector<std::string> order;
  std::map<std::string, std::vector<const Instance*>> groups;
  for (const auto& i : instances) {
    std::string r = ReservationId(i);
    if (!groups.count(r)) order.push_back(r);
    groups[r].push_back(&i);
  }
  x.Open("reservationSet");
  for (const auto& r : order) {
    x.Open("item");
    x.Leaf("reservationId", r);
    x.Leaf("ownerId", groups[r].front()->tenant_id);
    x.Empty("groupSet");
    x.Open("instancesSet");
    for (const Instance* i : groups[r]) WriteInstance(x, *i);
    x.Close();
    x.Close();
  }
  x.Close();
}

Result<RunInstancesInput> ParseRun(const Ec2Deps& d, const Ec2Call& c) {
  const Ec2Params& p = c.params;
  RunInstancesInput in;
  STRATO_ASSIGN_OR_RETURN(in.image_id, p.Required("ImageId"));
  STRATO_ASSIGN_OR_RETURN(in.instance_type, p.Required("InstanceType"));
  STRATO_ASSIGN_OR_RETURN(auto min, p.Int("MinCount", 1, 1000));
  STRATO_ASSIGN_OR_RETURN(auto max, p.Int("MaxCount", 1, 1000));
  if (!min) return MissingParameter("The request must contain the parameter MinCount.");
  if (!max) return MissingParameter("The request must contain the parameter MaxCount.");
  if (*min > *max) {
    return InvalidParameter("MinCount (" + std::to_string(*min) +
                            ") must not be greater than MaxCount (" + std::to_string(*max) + ").");
  }
  // Capacity is claimed by the scheduler after launch, so MaxCount is what is launched.
  in.count = static_cast<int>(*max);
  in.zone = p.Optional("Placement.AvailabilityZone");
  if (auto tenancy = p.Optional("Placement.Tenancy"); tenancy && *tenancy != "default") {
    return InvalidParameter("Placement.Tenancy '" + *tenancy +
                            "' is not supported: only 'default'.");
  }
  if (auto token = p.Optional("ClientToken"); token && token->size() > 64) {
    return InvalidParameter("ClientToken must be at most 64 characters.");
  }
  if (auto key = p.Optional("KeyName")) {
    STRATO_RETURN_IF_ERROR(d.resources->GetKeyPair(c.principal, *key).status());
  }
  in.nic.subnet_id = p.Optional("SubnetId");
  in.nic.private_ip = p.Optional("PrivateIpAddress");
  STRATO_ASSIGN_OR_RETURN(in.block_devices, ParseBlockDeviceMappings(p));
  STRATO_RETURN_IF_ERROR(ParseLaunchContextParams(p, in.launch));
  STRATO_ASSIGN_OR_RETURN(auto specs, p.TagSpecifications());
  for (const auto& spec : specs) {
    if (spec.resource_type != "instance" && spec.resource_type != "volume") {
      return InvalidParameter("TagSpecification ResourceType '" + spec.resource_type +
                              "' is not supported by RunInstances here: use 'instance' or "
                              "'volume'.");
    }
    auto& tags = spec.resource_type == "volume" ? in.volume_tags : in.tags;
    for (const auto& t : spec.tags) tags[t.key] = t.value.value_or("");
  }
  return in;
}

Status ActOnInstances(const Ec2Deps& d, const Ec2Call& c, XmlWriter& x, InstanceAction action,
                      bool force) {
  STRATO_ASSIGN_OR_RETURN(auto ids, c.params.List("InstanceId"));
  if (ids.empty()) return MissingParameter("The request must contain the parameter InstanceId.");
  // Every id must exist, and the action must be valid for each, before anything changes.
  STRATO_ASSIGN_OR_RETURN(auto before, d.instances->GetMany(c.principal, ids, {}));
  for (const auto& b : before) {
    Instance copy = b;
    STRATO_RETURN_IF_ERROR(ApplyInstanceAction(copy, action, force).status());
  }
  std::vector<std::pair<Instance, Instance>> changed;
  for (const auto& b : before) {
    STRATO_ASSIGN_OR_RETURN(auto after, d.instances->Act(c.principal, b.id, action, force));
    changed.emplace_back(b, std::move(after));
  }
  if (action == InstanceAction::kReboot) {
    x.Leaf("return", true);
    return OkStatus();
  }
  x.Open("instancesSet");
  for (const auto& [b, a] : changed) {
    x.Open("item");
    x.Leaf("instanceId", a.id);
    WriteState(x, "currentState", a.state);
    WriteState(x, "previousState", b.state);
    x.Close();
  }
  x.Close();
  return OkStatus();
}

void WriteCheck(XmlWriter& x, std::string_view tag, bool running) {
  x.Open(tag);
  x.Leaf("status", running ? "ok" : "not-applicable");
  x.Open("details");
  x.Open("item");
  x.Leaf("name", "reachability");
  x.Leaf("status", running ? "passed" : "not-applicable");
  x.Close();
  x.Close();
  x.Close();
}

}  // namespace

void RegisterInstanceActions(Ec2Api& api) {
  const Ec2Deps* d = &api.deps();
  api.Register("RunInstances",
               {"ImageId",
                "InstanceType",
                "MinCount",
                "MaxCount",
                "Placement.AvailabilityZone",
                "Placement.Tenancy",
                "ClientToken",
                "KeyName",
                "UserData",
                "MetadataOptions.HttpTokens",
                "MetadataOptions.HttpPutResponseHopLimit",
                "MetadataOptions.HttpEndpoint",
                "TagSpecification.#.ResourceType",
                "TagSpecification.#.Tag.#.Key",
                "TagSpecification.#.Tag.#.Value",
                "SubnetId",
                "PrivateIpAddress",
                "BlockDeviceMapping.#.DeviceName",
                "BlockDeviceMapping.#.Ebs.VolumeSize",
                "BlockDeviceMapping.#.Ebs.VolumeType",
                "BlockDeviceMapping.#.Ebs.DeleteOnTermination",
                "BlockDeviceMapping.#.Ebs.Iops",
                "BlockDeviceMapping.#.Ebs.Throughput",
                "BlockDeviceMapping.#.Ebs.SnapshotId",
                "BlockDeviceMapping.#.Ebs.Encrypted",
                "BlockDeviceMapping.#.NoDevice",
                "BlockDeviceMapping.#.VirtualName",
                "SecurityGroupId.#"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 STRATO_ASSIGN_OR_RETURN(auto in, ParseRun(*d, c));
                 STRATO_ASSIGN_OR_RETURN(in.nic.security_group_ids,
                                         c.params.List("SecurityGroupId"));
                 STRATO_ASSIGN_OR_RETURN(auto out, d->instances->Run(c.principal, in));
                 x.Leaf("reservationId", ReservationId(out.front()));
                 x.Leaf("ownerId", c.principal.tenant_id);
                 x.Empty("groupSet");
                 x.Open("instancesSet");
                 for (const auto& i : out) WriteInstance(x, i);
                 x.Close();
                 return OkStatus();
               });

  api.Register("DescribeInstances",
               With({"InstanceId.#", "MaxResults", "NextToken"}, kFilterParams),
               [d](const Ec2Call& c, XmlWriter& x) {
                 STRATO_ASSIGN_OR_RETURN(auto pf, ParseInstanceFilters(c.params));
                 STRATO_ASSIGN_OR_RETURN(auto sel, Select(*d, c, pf));
                 WriteReservations(x, sel.instances);
                 if (!sel.next_token.empty()) x.Leaf("nextToken", sel.next_token);
                 return OkStatus();
               });

  api.Register(
      "DescribeInstanceStatus",
      With({"InstanceId.#", "MaxResults", "NextToken", "IncludeAllInstances"}, kFilterParams),
      [d](const Ec2Call& c, XmlWriter& x) {
        STRATO_ASSIGN_OR_RETURN(auto pf, ParseInstanceFilters(c.params));
        STRATO_ASSIGN_OR_RETURN(auto all, c.params.Bool("IncludeAllInstances"));
        if (!all.value_or(false)) {
          // By default EC2 reports running instances only.
          auto& states = pf.filter.states;
          bool wants_running = states.empty() || std::find(states.begin(), states.end(),
                                                           InstanceState::kRunning) != states.end();
          if (!wants_running) {
            x.Empty("instanceStatusSet");
            return OkStatus();
          }
          states = {InstanceState::kRunning};
        }
        STRATO_ASSIGN_OR_RETURN(auto sel, Select(*d, c, pf));
        x.Open("instanceStatusSet");
        for (const auto& i : sel.instances) {
          bool running = i.state == InstanceState::kRunning;
          x.Open("item");
          x.Leaf("instanceId", i.id);
          x.Leaf("availabilityZone", i.zone);
          WriteState(x, "instanceState", i.state);
          WriteCheck(x, "systemStatus", running);
          WriteCheck(x, "instanceStatus", running);
          x.Close();
        }
        x.Close();
        if (!sel.next_token.empty()) x.Leaf("nextToken", sel.next_token);
        return OkStatus();
      });

  struct Act {
    const char* name;
    InstanceAction action;
  };
  for (const Act& a :
       {Act{"StartInstances", InstanceAction::kStart}, Act{"StopInstances", InstanceAction::kStop},
        Act{"RebootInstances", InstanceAction::kReboot},
        Act{"TerminateInstances", InstanceAction::kTerminate}}) {
    std::vector<std::string> allowed = {"InstanceId.#"};
    if (a.action == InstanceAction::kStop) allowed.push_back("Force");
    InstanceAction action = a.action;
    api.Register(a.name, allowed, [d, action](const Ec2Call& c, XmlWriter& x) {
      STRATO_ASSIGN_OR_RETURN(auto force, c.params.Bool("Force"));
      return ActOnInstances(*d, c, x, action, force.value_or(false));
    });
  }

  api.Register("GetConsoleOutput", {"InstanceId", "Latest"}, [d](const Ec2Call& c, XmlWriter& x) {
    STRATO_ASSIGN_OR_RETURN(auto id, c.params.Required("InstanceId"));
    STRATO_RETURN_IF_ERROR(c.params.Bool("Latest").status());
    STRATO_ASSIGN_OR_RETURN(auto inst, d->instances->GetForConsole(c.principal, id));
    std::string output;
    if (inst.host_id || !inst.last_host_id.empty()) {
      // A host that cannot answer right now means no output yet, as for the native API.
      auto console = d->console(inst);
      if (console.ok()) output = *console;
    }
    x.Leaf("instanceId", inst.id);
    x.Leaf("timestamp", Ec2Time(d->env->now_ms()));
    x.Leaf("output", Base64(output));
    return OkStatus();
  });
}

}  // namespace strato::api::ec2
