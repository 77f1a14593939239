#include "api/ec2/ec2_params.h"

#include <gtest/gtest.h>

#include "api/ec2/ec2_errors.h"
#include "api/ec2/xml_writer.h"

namespace strato::api::ec2 {
namespace {

TEST(Ec2ParamsTest, ReadsListsFiltersAndTagSpecificationsInIndexOrder) {
  auto p = Ec2Params::Parse(
      "Action=DescribeInstances",
      "InstanceId.10=i-b&InstanceId.2=i-a&Filter.1.Name=tag%3Aenv&Filter.1.Value.2=x+y"
      "&Filter.1.Value.1=p&TagSpecification.1.ResourceType=instance"
      "&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=web"
      "&TagSpecification.1.Tag.2.Key=empty");
  ASSERT_TRUE(p.ok()) << p.status().ToString();
  auto ids = p->List("InstanceId");
  ASSERT_TRUE(ids.ok());
  EXPECT_EQ(*ids, (std::vector<std::string>{"i-a", "i-b"}));
  auto filters = p->Filters();
  ASSERT_TRUE(filters.ok());
  ASSERT_EQ(filters->size(), 1u);
  EXPECT_EQ((*filters)[0].name, "tag:env");
  EXPECT_EQ((*filters)[0].values, (std::vector<std::string>{"p", "x y"}));
  auto specs = p->TagSpecifications();
  ASSERT_TRUE(specs.ok()) << specs.status().ToString();
  ASSERT_EQ(specs->size(), 1u);
  EXPECT_EQ((*specs)[0].resource_type, "instance");
  ASSERT_EQ((*specs)[0].tags.size(), 2u);
  EXPECT_EQ((*specs)[0].tags[0].value, "web");
  EXPECT_FALSE((*specs)[0].tags[1].value.has_value());
  EXPECT_TRUE(p->CheckAllowed({"Action", "InstanceId.#", "Filter.#.Name", "Filter.#.Value.#",
                               "TagSpecification.#.ResourceType", "TagSpecification.#.Tag.#.Key",
                               "TagSpecification.#.Tag.#.Value"})
                  .ok());
  Status unknown = p->CheckAllowed({"Action", "InstanceId.#"});
  EXPECT_EQ(unknown.code(), "UnknownParameter");
}

TEST(Ec2ParamsTest, RefusesWrongTypesDuplicatesAndBadIndexes) {
  auto p = Ec2Params::Parse("", "MaxCount=abc&MinCount=0&DryRun=yes&InstanceId.0=i-x");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(p->Int("MaxCount", 1, 10).status().code(), "InvalidParameterValue");
  EXPECT_EQ(p->Int("MinCount", 1, 10).status().code(), "InvalidParameterValue");
  EXPECT_FALSE(p->Int("Absent", 1, 10)->has_value());
  EXPECT_EQ(p->Bool("DryRun").status().code(), "InvalidParameterValue");
  EXPECT_EQ(p->List("InstanceId").status().code(), "InvalidParameterValue");
  EXPECT_EQ(p->Required("ImageId").status().code(), "MissingParameter");
  EXPECT_EQ(p->CheckAllowed({"InstanceId.#"}).code(), "UnknownParameter");
  EXPECT_EQ(Ec2Params::Parse("Action=A", "Action=B").status().code(), "InvalidParameterValue");
}

TEST(Ec2ParamsTest, ReadsListsOfStructuresInIndexOrder) {
  auto p = Ec2Params::Parse("", "LaunchPermission.Add.2.UserId=t-2&LaunchPermission.Add.1.Group=all"
                                "&LaunchPermission.Remove.1=x");
  ASSERT_TRUE(p.ok());
  auto add = p->Structures("LaunchPermission.Add");
  ASSERT_TRUE(add.ok()) << add.status().ToString();
  ASSERT_EQ(add->size(), 2u);
  EXPECT_EQ((*add)[0], (std::map<std::string, std::string>{{"Group", "all"}}));
  EXPECT_EQ((*add)[1], (std::map<std::string, std::string>{{"UserId", "t-2"}}));
  EXPECT_EQ(p->Structures("LaunchPermission.Remove").status().code(), "UnknownParameter");
  EXPECT_TRUE(p->Structures("Absent")->empty());
}

TEST(FilterMatchesTest, WildcardsAndEmptyFilters) {
  EXPECT_TRUE(FilterMatches({}, "anything"));
  EXPECT_TRUE(FilterMatches({"strato-*"}, "strato-guest"));
  EXPECT_TRUE(FilterMatches({"x", "web-?"}, "web-1"));
  EXPECT_FALSE(FilterMatches({"web-?"}, "web-10"));
}

TEST(Ec2ErrorsTest, MapsCommandStatusesToEc2CodesAndStatuses) {
  EXPECT_EQ(ToEc2Error(NotFound("InvalidInstanceID.NotFound", "x")).http_status, 400);
  EXPECT_EQ(ToEc2Error(IncorrectInstanceState("x")).http_status, 400);
  auto auth = ToEc2Error(Forbidden("InvalidClientTokenId", "x"));
  EXPECT_EQ(auth.http_status, 401);
  EXPECT_EQ(auth.code, "AuthFailure");
  EXPECT_EQ(ToEc2Error(Forbidden("SignatureDoesNotMatch", "x")).http_status, 403);
  EXPECT_EQ(ToEc2Error(Forbidden("RequestExpired", "x")).http_status, 400);
  EXPECT_EQ(ToEc2Error(Internal("x")).http_status, 500);
  auto r = Ec2ErrorResponse(InvalidParameter("a<b & 'c'"), "req-1");
  EXPECT_EQ(r.body,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Response><Errors><Error><Code>"
            "InvalidParameterValue</Code><Message>a&lt;b &amp; &apos;c&apos;</Message></Error>"
            "</Errors><RequestID>req-1</RequestID></Response>");
}

TEST(XmlWriterTest, EscapesTextAndReplacesControlBytes) {
  XmlWriter x("R", "urn:x");
  x.Open("a");
  x.Leaf("b", std::string_view("1\x01<2>\n", 6));
  x.Empty("c");
  EXPECT_EQ(x.Finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R xmlns=\"urn:x\"><a><b>1?&lt;2&gt;\n"
            "</b><c/></a></R>");
}

TEST(XmlWriterTest, KeepsValidUtf8AndReplacesInvalidBytes) {
  EXPECT_EQ(XmlWriter::Escape("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80"),
            "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x98\x80");
  EXPECT_EQ(XmlWriter::Escape("a\xFF" "b\xC3"), "a?b?");
  EXPECT_EQ(XmlWriter::Escape("\xC0\xAF\xED\xA0\x80"), "?????");
}

}  // namespace
}  // namespace strato::api::ec2
