// ModifyInstanceAttribute: the DeleteOnTermination of the instance's attached volumes
// (BlockDeviceMapping.N.DeviceName with .Ebs.DeleteOnTermination, what
// `aws ec2 modify-instance-attribute --block-device-mappings` sends). Parse → VolumeCommands.
// The instance's other attributes are not changeable in Strato: Unsupported.
// DescribeInstanceAttribute: one attribute of an instance, read through InstanceCommands and
// InstanceContextCommands (user-data), rendered as EC2 does.
#include <set>

#include "api/ec2/ec2_api.h"
#include "api/ec2/ec2_render.h"
#include "commands/instance_context_commands.h"
#include "commands/volume_commands.h"

namespace strato::api::ec2 {
namespace {

// The attributes EC2 also offers; named so that they are refused as Unsupported rather than
// as unknown parameters.
const std::vector<std::string> kOtherAttributes = {"Attribute",
                                                   "Value",
                                                   "InstanceType.Value",
                                                   "UserData.Value",
                                                   "Kernel.Value",
                                                   "Ramdisk.Value",
                                                   "DisableApiTermination.Value",
                                                   "DisableApiStop.Value",
                                                   "InstanceInitiatedShutdownBehavior.Value",
                                                   "EbsOptimized.Value",
                                                   "SourceDestCheck.Value",
                                                   "SriovNetSupport.Value",
                                                   "EnaSupport.Value",
                                                   "GroupId.#"};

Result<std::vector<DeleteOnTerminationChange>> ReadMappings(const Ec2Params& params) {
  STRATO_ASSIGN_OR_RETURN(auto items, params.Structures("BlockDeviceMapping"));
  std::vector<DeleteOnTerminationChange> out;
  for (const auto& item : items) {
    auto device = item.find("DeviceName");
    if (device == item.end() || device->second.empty()) {
      return MissingParameter("Each BlockDeviceMapping needs a DeviceName.");
    }
    auto keep = item.find("Ebs.DeleteOnTermination");
    if (keep == item.end()) {
      return MissingParameter("BlockDeviceMapping for " + device->second +
                              " needs Ebs.DeleteOnTermination: it is the only thing that can "
                              "change.");
    }
    if (keep->second != "true" && keep->second != "false") {
      return InvalidParameter("Ebs.DeleteOnTermination must be true or false, not '" +
                              keep->second + "'.");
    }
    for (const auto& [field, value] : item) {
      if (field != "DeviceName" && field != "Ebs.DeleteOnTermination" && field != "Ebs.VolumeId" &&
          field != "NoDevice" && field != "VirtualName") {
        return BadRequest("UnknownParameter",
                          "The BlockDeviceMapping field " + field + " is not recognized.");
      }
      if (field == "NoDevice" || field == "VirtualName") {
        return BadRequest("Unsupported",
                          "BlockDeviceMapping " + field + " cannot be changed on an instance.");
      }
    }
    auto volume = item.find("Ebs.VolumeId");
    out.push_back({device->second, keep->second == "true",
                   volume == item.end() ? std::nullopt : std::optional(volume->second)});
  }
  return out;
}

// <name><value>v</value></name>, EC2's form of a scalar attribute.
template <typename T>
void ValueAttribute(XmlWriter& x, const std::string& name, const T& value) {
  x.Open(name);
  x.Leaf("value", value);
  x.Close();
}

// DescribeInstanceAttribute's attribute names (EC2's), all readable here.
const std::set<std::string> kReadableAttributes = {"instanceType",
                                                   "rootDeviceName",
                                                   "blockDeviceMapping",
                                                   "groupSet",
                                                   "userData",
                                                   "disableApiTermination",
                                                   "disableApiStop",
                                                   "ebsOptimized",
                                                   "enaSupport",
                                                   "sourceDestCheck",
                                                   "instanceInitiatedShutdownBehavior",
                                                   "kernel",
                                                   "ramdisk",
                                                   "sriovNetSupport"};

// What every Strato instance answers for the attributes it does not let anyone change.
void WriteFixedAttribute(XmlWriter& x, const std::string& name) {
  if (name == "sourceDestCheck") {
    ValueAttribute(x, name, true);
  } else if (name == "instanceInitiatedShutdownBehavior") {
    ValueAttribute(x, name, std::string("stop"));  // a guest that powers off is stopped
  } else if (name == "kernel" || name == "ramdisk" || name == "sriovNetSupport") {
    x.Empty(name);
  } else {  // disableApiTermination, disableApiStop, ebsOptimized, enaSupport
    ValueAttribute(x, name, false);
  }
}

}  // namespace

void RegisterInstanceAttributeActions(Ec2Api& api) {
  const Ec2Deps* d = &api.deps();
  std::vector<std::string> allowed = {"InstanceId",
                                      "BlockDeviceMapping.#.DeviceName",
                                      "BlockDeviceMapping.#.Ebs.DeleteOnTermination",
                                      "BlockDeviceMapping.#.Ebs.VolumeId",
                                      "BlockDeviceMapping.#.NoDevice",
                                      "BlockDeviceMapping.#.VirtualName"};
  allowed.insert(allowed.end(), kOtherAttributes.begin(), kOtherAttributes.end());
  api.Register("ModifyInstanceAttribute", allowed, [d](const Ec2Call& c, XmlWriter& x) {
    STRATO_ASSIGN_OR_RETURN(auto id, c.params.Required("InstanceId"));
    STRATO_ASSIGN_OR_RETURN(auto groups, c.params.List("GroupId"));
    bool other_attribute = !groups.empty();
    for (const auto& other : kOtherAttributes) other_attribute |= c.params.Find(other) != nullptr;
    if (other_attribute) {
      return BadRequest("Unsupported",
                        "Only the DeleteOnTermination of attached volumes (BlockDeviceMapping) "
                        "can be changed on a Strato instance.");
    }
    STRATO_ASSIGN_OR_RETURN(auto changes, ReadMappings(c.params));
    if (changes.empty()) {
      return MissingParameter("The request must contain BlockDeviceMapping.N.");
    }
    STRATO_RETURN_IF_ERROR(d->volumes->SetDeleteOnTermination(c.principal, id, changes).status());
    x.Leaf("return", true);
    return OkStatus();
  });

  api.Register("DescribeInstanceAttribute", {"InstanceId", "Attribute"},
               [d](const Ec2Call& c, XmlWriter& x) -> Status {
                 STRATO_ASSIGN_OR_RETURN(auto id, c.params.Required("InstanceId"));
                 STRATO_ASSIGN_OR_RETURN(auto attribute, c.params.Required("Attribute"));
                 if (!kReadableAttributes.count(attribute)) {
                   return InvalidParameter("Value (" + attribute +
                                           ") for parameter attribute is invalid: not an "
                                           "instance attribute.");
                 }
                 STRATO_ASSIGN_OR_RETURN(Instance i, d->instances->Get(c.principal, id));
                 x.Leaf("instanceId", i.id);
                 if (attribute == "instanceType") {
                   ValueAttribute(x, attribute, i.instance_type);
                 } else if (attribute == "rootDeviceName") {
                   ValueAttribute(x, attribute, std::string(kRootDeviceName));
                 } else if (attribute == "blockDeviceMapping") {
                   WriteBlockDeviceMapping(x, i);
                 } else if (attribute == "groupSet") {
                   WriteGroupSet(x, i);
                 } else if (attribute == "userData") {
                   STRATO_ASSIGN_OR_RETURN(auto context,
                                           InstanceContextCommands(*d->env).Get(c.principal, id));
                   if (context.user_data.empty()) {
                     x.Empty("userData");
                   } else {
                     ValueAttribute(x, "userData", Base64(context.user_data));
                   }
                 } else {
                   WriteFixedAttribute(x, attribute);
                 }
                 return OkStatus();
               });
}

}  // namespace strato::api::ec2
