#include "commands/instance_commands.h"

#include <gtest/gtest.h>

namespace strato {
namespace {

Instance InState(InstanceState s) {
  Instance i;
  i.id = "i-0123456789abcdef0";
  i.state = s;
  return i;
}

struct Case {
  InstanceState from;
  InstanceAction action;
  bool ok;
  bool changed;
  InstanceState to;
};

TEST(ApplyInstanceActionTest, FollowsTheEc2StateMachine) {
  using S = InstanceState;
  using A = InstanceAction;
  const Case cases[] = {
      {S::kRunning, A::kStop, true, true, S::kStopping},
      {S::kStopped, A::kStop, true, false, S::kStopped},
      {S::kStopping, A::kStop, true, false, S::kStopping},
      {S::kPending, A::kStop, false, false, S::kPending},
      {S::kTerminated, A::kStop, false, false, S::kTerminated},
      {S::kStopped, A::kStart, true, true, S::kPending},
      {S::kRunning, A::kStart, true, false, S::kRunning},
      {S::kStopping, A::kStart, false, false, S::kStopping},
      {S::kTerminated, A::kStart, false, false, S::kTerminated},
      {S::kRunning, A::kReboot, true, true, S::kRunning},
      {S::kStopped, A::kReboot, false, false, S::kStopped},
      {S::kPending, A::kReboot, false, false, S::kPending},
      {S::kRunning, A::kTerminate, true, true, S::kShuttingDown},
      {S::kStopped, A::kTerminate, true, true, S::kShuttingDown},
      {S::kPending, A::kTerminate, true, true, S::kShuttingDown},
      {S::kTerminated, A::kTerminate, true, false, S::kTerminated},
  };
  for (const Case& c : cases) {
    Instance i = InState(c.from);
    auto r = ApplyInstanceAction(i, c.action, false);
    SCOPED_TRACE(std::string(ToString(c.from)) + " action " + std::to_string(int(c.action)));
    ASSERT_EQ(r.ok(), c.ok);
    if (c.ok) EXPECT_EQ(*r, c.changed);
    else EXPECT_EQ(r.status().code(), "IncorrectInstanceState");
    EXPECT_EQ(i.state, c.to);
  }
}

TEST(ApplyInstanceActionTest, RebootBumpsTheGenerationAndForceEscalatesAStop) {
  Instance i = InState(InstanceState::kRunning);
  ASSERT_TRUE(ApplyInstanceAction(i, InstanceAction::kReboot, false).ok());
  EXPECT_EQ(i.reboot_generation, 1);
  ASSERT_TRUE(ApplyInstanceAction(i, InstanceAction::kStop, false).ok());
  EXPECT_FALSE(i.force_stop);
  auto again = ApplyInstanceAction(i, InstanceAction::kStop, true);
  ASSERT_TRUE(again.ok());
  EXPECT_TRUE(*again);
  EXPECT_TRUE(i.force_stop);
}

TEST(InstanceMatchesTest, StatesAreOneAnyOfSetAndEveryTagMustMatch) {
  Instance i = InState(InstanceState::kRunning);
  i.instance_type = "t3.micro";
  i.zone = "strato-1a";
  i.tags = {{"env", "prod"}, {"team", "a"}};
  EXPECT_TRUE(InstanceMatches(i, {}));
  InstanceFilter f;
  f.state = InstanceState::kStopped;
  f.states = {InstanceState::kRunning};
  EXPECT_TRUE(InstanceMatches(i, f));
  f.states = {InstanceState::kPending};
  EXPECT_FALSE(InstanceMatches(i, f));
  InstanceFilter tags;
  tags.tags = {{"env", "prod"}, {"team", "a"}};
  EXPECT_TRUE(InstanceMatches(i, tags));
  tags.tags.emplace_back("team", "b");
  EXPECT_FALSE(InstanceMatches(i, tags));
  InstanceFilter type;
  type.instance_type = "t3.nano";
  EXPECT_FALSE(InstanceMatches(i, type));
  InstanceFilter zone;
  zone.zone = "strato-1a";
  EXPECT_TRUE(InstanceMatches(i, zone));
}

}  // namespace
}  // namespace strato
