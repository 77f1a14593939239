#include "api/ec2/ec2_errors.h"

#include "api/ec2/xml_writer.h"

namespace strato::api::ec2 {

Ec2Error ToEc2Error(const Status& s) {
  const std::string& code = s.code();
  if (s.http_status() >= 500) return {s.http_status(), code};
  // An unknown or disabled access key: EC2 does not say which part was wrong.
  if (code == "InvalidClientTokenId" || code == "AuthFailure") return {401, "AuthFailure"};
  if (code == "MissingAuthenticationToken") return {401, code};
  if (code == "SignatureDoesNotMatch" || code == "UnauthorizedOperation") return {403, code};
  return {400, code};
}

http::Response Ec2ErrorResponse(const Status& s, std::string_view request_id) {
  Ec2Error e = ToEc2Error(s);
  XmlWriter x("Response");
  x.Open("Errors");
  x.Open("Error");
  x.Leaf("Code", e.code);
  x.Leaf("Message", s.message());
  x.Close();
  x.Close();
  x.Leaf("RequestID", request_id);
  http::Response r;
  r.status = e.http_status;
  r.content_type = "text/xml;charset=UTF-8";
  r.body = x.Finish();
  return r;
}

}  // namespace strato::api::ec2
