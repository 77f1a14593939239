#include "metadata/source_guard.h"

#include <gtest/gtest.h>

namespace strato {
namespace {

TEST(SourceGuardTest, EachTapMayOnlyUseItsOwnMacAndAddress) {
  std::string r = RenderSourceGuard({{"t0123456789abc", "02:00:00:00:00:05", "10.0.0.5"},
                                     {"t0123456789abd", "02:00:00:00:00:06", "10.0.0.6"}});
  EXPECT_EQ(r.find("table bridge strato_source {}\ndelete table bridge strato_source\n"), 0u);
  EXPECT_NE(r.find("iifname \"t0123456789abc\" ether saddr != 02:00:00:00:00:05 drop"),
            std::string::npos);
  EXPECT_NE(r.find("iifname \"t0123456789abc\" ether type ip ip saddr != { 0.0.0.0, 10.0.0.5 } "
                   "drop"),
            std::string::npos);
  EXPECT_NE(r.find("iifname \"t0123456789abd\" ether type arp arp saddr ip != { 0.0.0.0, "
                   "10.0.0.6 } drop"),
            std::string::npos);
  EXPECT_EQ(RenderSourceGuard({}).find("iifname"), std::string::npos);
}

}  // namespace
}  // namespace strato
