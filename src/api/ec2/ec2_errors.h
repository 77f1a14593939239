#pragma once
// How a Status from the command layer reads on the EC2 wire: the EC2 error code and HTTP
// status AWS answers with, in the EC2 error document
//   <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>.
// EC2 answers 400 for client errors, except authentication (401 AuthFailure /
// MissingAuthenticationToken, 403 SignatureDoesNotMatch) and authorization (403
// UnauthorizedOperation); 5xx stay 5xx. Thread-safety: pure functions.

#include <string>
#include <string_view>

#include "common/status.h"
#include "http/http_types.h"

namespace strato::api::ec2 {

inline constexpr std::string_view kEc2Xmlns = "http://ec2.amazonaws.com/doc/2016-11-15/";

struct Ec2Error {
  int http_status;
  std::string code;
};

Ec2Error ToEc2Error(const Status& s);
http::Response Ec2ErrorResponse(const Status& s, std::string_view request_id);

}  // namespace strato::api::ec2
