#include "common/subprocess.h"

#include <gtest/gtest.h>

namespace strato {
namespace {

using std::chrono::milliseconds;

TEST(SubprocessTest, CapturesOutputErrorAndExitCode) {
  auto r = RunCaptured({"sh", "-c", "echo out; echo err >&2; exit 3"}, milliseconds(5000));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->output, "out\n");
  EXPECT_EQ(r->error, "err\n");
}

TEST(SubprocessTest, LargeOutputOnBothStreamsDoesNotDeadlock) {
  auto r = RunCaptured({"sh", "-c", "head -c 300000 /dev/zero; head -c 300000 /dev/zero >&2"},
                       milliseconds(5000));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->output.size(), 300000u);
  EXPECT_EQ(r->error.size(), 300000u);
}

TEST(SubprocessTest, MissingProgramIsAnError) {
  EXPECT_FALSE(RunCaptured({"/nonexistent/tool"}, milliseconds(5000)).ok());
}

TEST(SubprocessTest, TimeoutKillsTheProcess) {
  auto r = RunCaptured({"sleep", "10"}, milliseconds(200));
  EXPECT_FALSE(r.ok());
}

}  // namespace
}  // namespace strato
