#pragma once
// EC2 parameters of an instance's launch context: KeyName, UserData (base64) and
// MetadataOptions.{HttpTokens,HttpPutResponseHopLimit,HttpEndpoint}.

#include <string>

#include "api/ec2/ec2_params.h"
#include "commands/instance_context_commands.h"

namespace strato::api::ec2 {

// Options named prefix + "HttpTokens" etc. ("" for ModifyInstanceMetadataOptions).
Result<MetadataOptionsChange> ParseMetadataOptionParams(const Ec2Params& p,
                                                        const std::string& prefix);
Status ParseLaunchContextParams(const Ec2Params& p, LaunchContextInput& out);

}  // namespace strato::api::ec2
