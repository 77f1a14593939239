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

}  // namespace
}  // namespace strato
