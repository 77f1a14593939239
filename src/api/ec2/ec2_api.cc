#include "api/ec2/ec2_api.h"

#include "api/ec2/ec2_errors.h"
#include "api/request_auth.h"

namespace strato::api::ec2 {

Ec2Api::Ec2Api(Ec2Deps deps) : d_(std::move(deps)) {
  RegisterCatalogActions(*this);
  RegisterInstanceActions(*this);
  RegisterTagActions(*this);
  RegisterImageActions(*this);
  RegisterImageAttributeActions(*this);
  RegisterKeyPairActions(*this);
  RegisterVolumeActions(*this);
  RegisterSnapshotActions(*this);
  RegisterVpcActions(*this);
  RegisterSecurityGroupActions(*this);
  RegisterAddressActions(*this);
  RegisterMetadataActions(*this);
  RegisterInstanceAttributeActions(*this);
}

void Ec2Api::Register(std::string action, std::vector<std::string> allowed, Ec2Handler handler) {
  allowed.push_back("Action");
  allowed.push_back("Version");
  allowed.push_back("DryRun");
  actions_[std::move(action)] = Action{std::move(allowed), std::move(handler)};
}

namespace {

// DryRun=true stops a request that is authenticated, names a known action and only its
// parameters, with EC2's DryRunOperation (412), before anything is looked up or changed.
// The parameters' values are not judged: the real call does that.
Status CheckDryRun(const Ec2Params& params) {
  const std::string* dry = params.Find("DryRun");
  if (!dry || *dry == "false") return OkStatus();
  if (*dry != "true") {
    return BadRequest("InvalidParameterValue",
                      "Value (" + *dry + ") for parameter DryRun is invalid: true or false.");
  }
  return Status(412, "DryRunOperation", "Request would have succeeded, but DryRun flag is set.");
}

}  // namespace

http::Response Ec2Api::Handle(http::Request& req) {
  // The metric label: one per registered action, never the raw (unbounded) input.
  std::string route = "EC2";
  http::Response r = [&] {
    if (req.method != "POST" && req.method != "GET") {
      return Ec2ErrorResponse(BadRequest("InvalidHttpRequest",
                                         "The EC2 Query API takes POST or GET, not " +
                                             req.method + "."),
                              req.request_id);
    }
    if (req.path != "/") {
      return Ec2ErrorResponse(BadRequest("InvalidHttpRequest",
                                         "The EC2 Query API is served on '/', not '" + req.path +
                                             "'."),
                              req.request_id);
    }
    // Authenticate before looking at the parameters: an unsigned caller learns nothing.
    auto principal = AuthenticateRequest(*d_.identity, req, "ec2");
    if (!principal.ok()) return Ec2ErrorResponse(principal.status(), req.request_id);
    auto params = Ec2Params::Parse(req.raw_query, req.method == "POST" ? req.body : "");
    if (!params.ok()) return Ec2ErrorResponse(params.status(), req.request_id);
    const std::string* action_name = params->Find("Action");
    if (!action_name || action_name->empty()) {
      return Ec2ErrorResponse(BadRequest("MissingAction", "The request must contain the "
                                                          "parameter Action."),
                              req.request_id);
    }
    auto it = actions_.find(*action_name);
    if (it == actions_.end()) {
      return Ec2ErrorResponse(
          BadRequest("InvalidAction", "The action " + *action_name + " is not valid for this "
                                                                     "web service."),
          req.request_id);
    }
    route = "EC2 " + it->first;
    Status s = params->CheckAllowed(it->second.allowed);
    XmlWriter x(*action_name + "Response", kEc2Xmlns);
    x.Leaf("requestId", req.request_id);
    if (s.ok()) s = CheckDryRun(*params);
    if (s.ok()) s = it->second.handler(Ec2Call{req, *params, *principal}, x);
    if (!s.ok()) return Ec2ErrorResponse(s, req.request_id);
    http::Response ok;
    ok.content_type = "text/xml;charset=UTF-8";
    ok.body = x.Finish();
    return ok;
  }();
  r.route = route;
  return r;
}

}  // namespace strato::api::ec2
