// ModifyImageAttribute, DescribeImageAttribute and ResetImageAttribute: an image's launch
// permissions (ImageCommands' sharing) and its description. What EC2 calls an account id
// (UserId) is a Strato tenant id, as imageOwnerId is.
#include "api/ec2/ec2_api.h"

namespace strato::api::ec2 {
namespace {

constexpr const char* kLaunchPermission = "launchPermission";

Status Unsupported(const std::string& what) {
  return BadRequest("Unsupported", what + " is not supported: images are shared with tenants "
                                          "(UserId) or made public (Group all).");
}

// One LaunchPermission.{Add,Remove}.N item: {Group: all} or {UserId: <tenant id>}.
Status ReadItem(const std::map<std::string, std::string>& item, bool adding,
                ModifyLaunchPermissionInput& out, bool& group_all) {
  if (item.size() != 1) {
    return InvalidParameter("Each LaunchPermission item takes exactly one of Group or UserId.");
  }
  const auto& [field, value] = *item.begin();
  if (field == "Group") {
    if (value != "all") {
      return InvalidParameter("The launch permission group '" + value +
                              "' does not exist; the only group is 'all'.");
    }
    group_all = true;
    return OkStatus();
  }
  if (field == "UserId") {
    (adding ? out.add_tenants : out.remove_tenants).push_back(value);
    return OkStatus();
  }
  if (field == "OrganizationArn" || field == "OrganizationalUnitArn") {
    return Unsupported("Sharing with an organization");
  }
  return BadRequest("UnknownParameter", "The LaunchPermission field " + field +
                                            " is not recognized.");
}

// LaunchPermission.Add.N / .Remove.N, as `aws ec2 modify-image-attribute --launch-permission`
// sends them.
Result<ModifyLaunchPermissionInput> ReadStructured(const Ec2Params& params) {
  ModifyLaunchPermissionInput out;
  STRATO_ASSIGN_OR_RETURN(auto add, params.Structures("LaunchPermission.Add"));
  STRATO_ASSIGN_OR_RETURN(auto remove, params.Structures("LaunchPermission.Remove"));
  bool add_all = false, remove_all = false;
  for (const auto& item : add) STRATO_RETURN_IF_ERROR(ReadItem(item, true, out, add_all));
  for (const auto& item : remove) STRATO_RETURN_IF_ERROR(ReadItem(item, false, out, remove_all));
  if (add_all && remove_all) {
    return BadRequest("InvalidParameterCombination",
                      "The group 'all' cannot be both added and removed.");
  }
  if (add_all || remove_all) out.make_public = add_all;
  return out;
}

// The older form: OperationType=add|remove with UserId.N and UserGroup.N (all).
Result<ModifyLaunchPermissionInput> ReadLegacy(const Ec2Params& params) {
  ModifyLaunchPermissionInput out;
  STRATO_ASSIGN_OR_RETURN(auto users, params.List("UserId"));
  STRATO_ASSIGN_OR_RETURN(auto groups, params.List("UserGroup"));
  STRATO_ASSIGN_OR_RETURN(auto op, params.Required("OperationType"));
  if (op != "add" && op != "remove") {
    return InvalidParameter("Value (" + op + ") for parameter OperationType is invalid. It must "
                            "be 'add' or 'remove'.");
  }
  if (users.empty() && groups.empty()) {
    return MissingParameter("OperationType needs UserId.N or UserGroup.N.");
  }
  for (const auto& g : groups) {
    if (g != "all") {
      return InvalidParameter("The launch permission group '" + g +
                              "' does not exist; the only group is 'all'.");
    }
  }
  (op == "add" ? out.add_tenants : out.remove_tenants) = std::move(users);
  if (!groups.empty()) out.make_public = op == "add";
  return out;
}

constexpr const char* kDescription = "description";

// The new description when the request changes it: Description.Value (what
// `aws ec2 modify-image-attribute --description` sends), or Attribute=description with Value.
// One request changes one attribute: with any launch permission field it is
// InvalidParameterCombination.
Result<std::optional<std::string>> ReadDescriptionChange(const Ec2Params& params) {
  auto described = params.Optional("Description.Value");
  auto value = params.Optional("Value");
  auto attribute = params.Optional("Attribute");
  if (value && attribute != kDescription) {
    return BadRequest("InvalidParameterCombination",
                      "Value is the new value of Attribute=description; launchPermission "
                      "takes LaunchPermission or OperationType with UserId/UserGroup.");
  }
  if (described && value && *described != *value) {
    return BadRequest("InvalidParameterCombination",
                      "Description.Value and Value give two different descriptions.");
  }
  if (!described && !value) {
    if (attribute == kDescription) {
      return MissingParameter("Attribute=description needs Value or Description.Value.");
    }
    return std::optional<std::string>();
  }
  if (attribute && *attribute != kDescription) {
    return BadRequest("InvalidParameterCombination",
                      "Description.Value changes the description, not " + *attribute + ".");
  }
  bool launch_permission_too = params.Find("OperationType") != nullptr;
  for (const char* prefix : {"LaunchPermission.Add", "LaunchPermission.Remove"}) {
    STRATO_ASSIGN_OR_RETURN(auto items, params.Structures(prefix));
    launch_permission_too |= !items.empty();
  }
  for (const char* list :
       {"UserId", "UserGroup", "ProductCode", "OrganizationArn", "OrganizationalUnitArn"}) {
    STRATO_ASSIGN_OR_RETURN(auto items, params.List(list));
    launch_permission_too |= !items.empty();
  }
  if (launch_permission_too) {
    return BadRequest("InvalidParameterCombination",
                      "The description and launch permissions (or product codes) cannot be "
                      "changed in one request.");
  }
  return described ? described : value;
}

Result<ModifyLaunchPermissionInput> ReadLaunchPermissionChange(const Ec2Params& params) {
  STRATO_ASSIGN_OR_RETURN(auto codes, params.List("ProductCode"));
  if (!codes.empty()) return Unsupported("Product codes");
  for (const char* org : {"OrganizationArn", "OrganizationalUnitArn"}) {
    STRATO_ASSIGN_OR_RETURN(auto arns, params.List(org));
    if (!arns.empty()) return Unsupported("Sharing with an organization");
  }
  auto attribute = params.Optional("Attribute");
  if (attribute && *attribute != kLaunchPermission) {
    return InvalidParameter("The attribute '" + *attribute +
                            "' cannot be modified; only launchPermission and description can.");
  }
  STRATO_ASSIGN_OR_RETURN(auto structured, ReadStructured(params));
  const bool has_structured = !structured.add_tenants.empty() ||
                              !structured.remove_tenants.empty() || structured.make_public;
  STRATO_ASSIGN_OR_RETURN(auto users, params.List("UserId"));
  STRATO_ASSIGN_OR_RETURN(auto groups, params.List("UserGroup"));
  const bool has_legacy = params.Find("OperationType") || !users.empty() || !groups.empty();
  if (has_structured && has_legacy) {
    return BadRequest("InvalidParameterCombination",
                      "Give LaunchPermission, or OperationType with UserId/UserGroup, not both.");
  }
  if (has_structured) return structured;
  if (has_legacy) return ReadLegacy(params);
  return MissingParameter("The request must contain LaunchPermission, or OperationType with "
                          "UserId or UserGroup.");
}

void WriteLaunchPermission(XmlWriter& x, const LaunchPermission& lp) {
  x.Open("launchPermission");
  if (lp.is_public) {
    x.Open("item");
    x.Leaf("group", "all");
    x.Close();
  }
  for (const auto& tenant : lp.tenants) {
    x.Open("item");
    x.Leaf("userId", tenant);
    x.Close();
  }
  x.Close();
}

Status DescribeImageAttribute(const Ec2Deps& d, const Ec2Call& c, XmlWriter& x) {
  STRATO_ASSIGN_OR_RETURN(auto id, c.params.Required("ImageId"));
  STRATO_ASSIGN_OR_RETURN(auto attribute, c.params.Required("Attribute"));
  if (attribute == kLaunchPermission) {
    STRATO_ASSIGN_OR_RETURN(auto lp, d.images->DescribeImageLaunchPermission(c.principal, id));
    x.Leaf("imageId", id);
    WriteLaunchPermission(x, lp);
    return OkStatus();
  }
  if (attribute == kDescription) {
    STRATO_ASSIGN_OR_RETURN(auto v, d.images->Get(c.principal, id));
    x.Leaf("imageId", id);
    x.Open("description");
    x.Leaf("value", v.image.description);
    x.Close();
    return OkStatus();
  }
  return InvalidParameter("The attribute '" + attribute +
                          "' is not offered; Strato answers launchPermission and description.");
}

}  // namespace

void RegisterImageAttributeActions(Ec2Api& api) {
  const Ec2Deps* d = &api.deps();
  api.Register("ModifyImageAttribute",
               {"ImageId", "Attribute", "OperationType", "UserId.#", "UserGroup.#",
                "LaunchPermission.Add.#.Group", "LaunchPermission.Add.#.UserId",
                "LaunchPermission.Add.#.OrganizationArn",
                "LaunchPermission.Add.#.OrganizationalUnitArn", "LaunchPermission.Remove.#.Group",
                "LaunchPermission.Remove.#.UserId", "LaunchPermission.Remove.#.OrganizationArn",
                "LaunchPermission.Remove.#.OrganizationalUnitArn", "OrganizationArn.#",
                "OrganizationalUnitArn.#", "ProductCode.#", "Description.Value", "Value"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 STRATO_ASSIGN_OR_RETURN(auto id, c.params.Required("ImageId"));
                 STRATO_ASSIGN_OR_RETURN(auto description, ReadDescriptionChange(c.params));
                 if (description) {
                   STRATO_RETURN_IF_ERROR(
                       d->images->SetDescription(c.principal, id, *description).status());
                   x.Leaf("return", true);
                   return OkStatus();
                 }
                 STRATO_ASSIGN_OR_RETURN(auto change, ReadLaunchPermissionChange(c.params));
                 STRATO_RETURN_IF_ERROR(
                     d->images->ModifyImageLaunchPermission(c.principal, id, change).status());
                 x.Leaf("return", true);
                 return OkStatus();
               });

  api.Register("DescribeImageAttribute", {"ImageId", "Attribute"},
               [d](const Ec2Call& c, XmlWriter& x) { return DescribeImageAttribute(*d, c, x); });

  // Only launchPermission can be reset (as in EC2): the image becomes private, unshared.
  api.Register("ResetImageAttribute", {"ImageId", "Attribute"},
               [d](const Ec2Call& c, XmlWriter& x) {
                 STRATO_ASSIGN_OR_RETURN(auto id, c.params.Required("ImageId"));
                 STRATO_ASSIGN_OR_RETURN(auto attribute, c.params.Required("Attribute"));
                 if (attribute != kLaunchPermission) {
                   return InvalidParameter("The attribute '" + attribute +
                                           "' cannot be reset; only launchPermission can.");
                 }
                 STRATO_RETURN_IF_ERROR(
                     d->images->ModifyImageLaunchPermission(c.principal, id, {.reset = true})
                         .status());
                 x.Leaf("return", true);
                 return OkStatus();
               });
}

}  // namespace strato::api::ec2
