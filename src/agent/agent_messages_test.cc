#include "agent/agent_messages.h"

#include <gtest/gtest.h>

namespace strato {
namespace {

TEST(AgentMessages, SyncMessagesAreRecognisedWithoutParsing) {
  VmSpec spec{"i-00000000000000001", 1, 512, "q35", "ami-00000000000000001"};
  EXPECT_TRUE(IsSyncMessage(EncodeSync({})));
  EXPECT_TRUE(IsSyncMessage(EncodeSync({SyncEntry{spec, VmPowerState::kRunning}})));
  EXPECT_FALSE(IsSyncMessage(EncodeConsoleCall("i-00000000000000001", 10)));
  EXPECT_FALSE(IsSyncMessage(R"({"type":"synchronise"})"));
  EXPECT_FALSE(IsSyncMessage(""));
}

TEST(AgentMessages, ReportsCarryTheGenerationTheyAnswer) {
  auto r = DecodeReport(EncodeReport({"h-1", "i-1", VmPowerState::kStopped, "why", 7}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->generation, 7);
  EXPECT_EQ(r->reason, "why");
  // A host of an earlier release sends none: 0, judged as before.
  r = DecodeReport(R"({"host_id":"h-1","instance_id":"i-1","state":"running"})");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->generation, 0);
}

}  // namespace
}  // namespace strato
