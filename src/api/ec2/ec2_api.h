#pragma once
// Ec2Api: the EC2 Query front end (docs/ec2.md). `POST /` with a form body (or `GET /?…`)
// carrying Action=…&Version=2016-11-15, signed with SigV4 for service "ec2".
//
// Each action is a handler registered with the parameter patterns it accepts; anything
// else is UnknownParameter, an unregistered action InvalidAction. A handler parses its
// parameters, calls the command layer (the same calls the native routes make) and writes
// the result into the response document; it holds no business rules. Errors render as the
// EC2 error XML (ec2_errors.h). Resources built later plug in with Register().
// Thread-safety: register everything before serving; Handle() is then thread-safe.

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "api/ec2/ec2_params.h"
#include "api/ec2/xml_writer.h"
#include "commands/identity_commands.h"
#include "commands/image_commands.h"
#include "commands/instance_commands.h"
#include "commands/network_commands.h"
#include "commands/object_commands.h"
#include "commands/resource_commands.h"
#include "commands/volume_commands.h"
#include "http/http_types.h"

namespace strato::api::ec2 {

struct Ec2Deps {
  CommandEnv* env;
  InstanceCommands* instances;
  IdentityCommands* identity;
  ResourceCommands* resources;
  // Fetches the console of an instance from its host agent (as the native API does).
  std::function<Result<std::string>(const Instance&)> console;
  VolumeCommands* volumes = nullptr;
  NetworkCommands* networks = nullptr;
  ImageCommands* images = nullptr;    // RegisterImage, CreateImage, DescribeImages, …
  ObjectCommands* objects = nullptr;  // RegisterImage from an S3 object (ImageLocation)
};

// What a handler gets: the authenticated caller and the parsed parameters.
struct Ec2Call {
  const http::Request& request;
  const Ec2Params& params;
  const Principal& principal;
};

// Writes the body of "<Action>Response" (requestId is already written) or returns why not.
using Ec2Handler = std::function<Status(const Ec2Call&, XmlWriter&)>;

class Ec2Api {
 public:
  // Registers every action Strato supports today.
  explicit Ec2Api(Ec2Deps deps);
  // Handlers keep the address of deps(): the object stays where it was built.
  Ec2Api(const Ec2Api&) = delete;
  Ec2Api& operator=(const Ec2Api&) = delete;

  // `allowed`: parameter patterns ("InstanceId.#", "Filter.#.Value.#"); Action and Version
  // are always allowed.
  void Register(std::string action, std::vector<std::string> allowed, Ec2Handler handler);

  http::Response Handle(http::Request& request);

  const Ec2Deps& deps() const { return d_; }

 private:
  struct Action {
    std::vector<std::string> allowed;
    Ec2Handler handler;
  };
  Ec2Deps d_;
  std::map<std::string, Action, std::less<>> actions_;
};

// The action groups, one file each.
void RegisterCatalogActions(Ec2Api& api);
void RegisterInstanceActions(Ec2Api& api);
void RegisterTagActions(Ec2Api& api);
void RegisterImageActions(Ec2Api& api);
void RegisterImageAttributeActions(Ec2Api& api);  // ec2_image_attribute_actions.cc
void RegisterKeyPairActions(Ec2Api& api);
void RegisterVolumeActions(Ec2Api& api);
void RegisterSnapshotActions(Ec2Api& api);
void RegisterVpcActions(Ec2Api& api);
void RegisterSecurityGroupActions(Ec2Api& api);  // ec2_security_group_actions.cc
void RegisterAddressActions(Ec2Api& api);        // ec2_address_actions.cc
void RegisterMetadataActions(Ec2Api& api);
void RegisterInstanceAttributeActions(Ec2Api& api);  // ec2_instance_attribute_actions.cc

}  // namespace strato::api::ec2
