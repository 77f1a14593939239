#include "common/ipv4_cidr.h"

#include <gtest/gtest.h>

namespace strato {
namespace {

TEST(Ipv4Cidr, ParsesAndFormats) {
  auto c = Ipv4Cidr::Parse("10.1.0.0/16");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->ToString(), "10.1.0.0/16");
  EXPECT_EQ(FormatIpv4(c->netmask()), "255.255.0.0");
  EXPECT_EQ(FormatIpv4(c->broadcast()), "10.1.255.255");
  EXPECT_EQ(FormatIpv4(c->Host(1)), "10.1.0.1");
  EXPECT_EQ(c->size(), 65536u);
}

TEST(Ipv4Cidr, RejectsMalformed) {
  for (const char* bad : {"10.0.0.0", "10.0.0.0/33", "10.0.0/16", "10.0.0.256/24", "010.0.0.0/8",
                          "10.0.1.0/16", "a.b.c.d/8", "10.0.0.0/", "10.0.0.0/-1", ""}) {
    auto c = Ipv4Cidr::Parse(bad);
    EXPECT_FALSE(c.ok()) << bad;
    if (!c.ok()) {
      EXPECT_EQ(c.status().code(), "InvalidParameterValue");
    }
  }
}

TEST(Ipv4Cidr, ContainsAndOverlaps) {
  auto vpc = *Ipv4Cidr::Parse("10.0.0.0/16");
  auto a = *Ipv4Cidr::Parse("10.0.1.0/24");
  auto b = *Ipv4Cidr::Parse("10.0.1.128/25");
  auto c = *Ipv4Cidr::Parse("10.0.2.0/24");
  auto outside = *Ipv4Cidr::Parse("10.1.0.0/24");
  EXPECT_TRUE(vpc.Contains(a));
  EXPECT_FALSE(vpc.Contains(outside));
  EXPECT_FALSE(a.Contains(vpc));
  EXPECT_TRUE(a.Overlaps(b));
  EXPECT_TRUE(b.Overlaps(a));
  EXPECT_FALSE(a.Overlaps(c));
  EXPECT_TRUE(a.Contains(*ParseIpv4("10.0.1.255")));
  EXPECT_FALSE(a.Contains(*ParseIpv4("10.0.2.0")));
}

}  // namespace
}  // namespace strato
