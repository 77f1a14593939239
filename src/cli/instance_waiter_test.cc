#include "cli/instance_waiter.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "cli/exit_codes.h"
#include "cli/testing/fake_clock.h"
#include "cli/testing/fake_transport.h"

namespace strato::cli {
namespace {

using testing::FakeClock;
using testing::FakeTransport;

// Each instance walks through its scripted states, one per poll, then stays in the last.
class ScriptedInstances {
 public:
  void Script(const std::string& id, std::vector<std::string> states) { scripts_[id] = states; }

  Result<HttpResponse> Answer(const HttpRequest& r) {
    const std::string id = r.target.substr(r.target.rfind('/') + 1);
    auto it = scripts_.find(id);
    if (it == scripts_.end()) {
      return HttpResponse{
          404, R"({"error":{"code":"InvalidInstanceID.NotFound","message":"gone"}})", ""};
    }
    size_t& step = steps_[id];
    const std::string state = it->second[std::min(step, it->second.size() - 1)];
    ++step;
    Json body = {{"id", id}, {"state", state}, {"state_reason", nullptr}};
    if (state == "terminated") body["state_reason"] = "no capacity";
    return HttpResponse{200, body.dump(), ""};
  }

 private:
  std::map<std::string, std::vector<std::string>> scripts_;
  std::map<std::string, size_t> steps_;
};

class InstanceWaiterTest : public ::testing::Test {
 protected:
  InstanceWaiterTest()
      : transport_([this](const HttpRequest& r) { return instances_.Answer(r); }),
        api_(transport_) {}

  Result<std::vector<Json>> Wait(const std::vector<std::string>& ids, const std::string& target,
                                 bool progress = false) {
    WaitSettings settings;
    settings.timeout = std::chrono::seconds(10);
    settings.poll_interval = std::chrono::seconds(1);
    settings.show_progress = progress;
    InstanceWaiter waiter(api_, clock_, settings, progress_);
    return waiter.WaitFor(ids, target);
  }

  ScriptedInstances instances_;
  FakeTransport transport_;
  ApiClient api_;
  FakeClock clock_;
  std::ostringstream progress_;
};

TEST_F(InstanceWaiterTest, WaitsUntilEveryInstanceReachesTarget) {
  instances_.Script("i-1", {"pending", "pending", "running"});
  instances_.Script("i-2", {"running"});
  auto result = Wait({"i-1", "i-2"}, "running");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ(result->size(), 2u);
  EXPECT_EQ((*result)[0]["state"], "running");
  EXPECT_EQ((*result)[1]["state"], "running");
  EXPECT_EQ(clock_.sleeps(), 2);
  // i-2 was done after the first poll and is not asked about again.
  EXPECT_EQ(transport_.sent().size(), 4u);
  EXPECT_EQ(progress_.str(), "");  // not a TTY: no progress line
}

TEST_F(InstanceWaiterTest, FailsFastWhenTerminatedWhileWaitingForRunning) {
  instances_.Script("i-1", {"pending", "terminated"});
  auto result = Wait({"i-1"}, "running");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), "InstanceTerminated");
  EXPECT_EQ(result.status().message(),
            "i-1 is terminated (no capacity) while waiting for it to be running");
  EXPECT_EQ(ExitCodeFor(result.status()), kExitApiError);
  EXPECT_EQ(clock_.sleeps(), 1);
}

TEST_F(InstanceWaiterTest, TimesOutNamingTheStragglers) {
  instances_.Script("i-1", {"pending"});
  instances_.Script("i-2", {"running"});
  auto result = Wait({"i-1", "i-2"}, "running");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(ExitCodeFor(result.status()), kExitTimeout);
  EXPECT_EQ(result.status().message(), "timed out after 10s waiting for running: i-1 is pending");
  EXPECT_EQ(clock_.sleeps(), 10);
}

TEST_F(InstanceWaiterTest, PurgedInstanceCountsAsTerminated) {
  instances_.Script("i-1", {"shutting-down", "terminated"});
  auto result = Wait({"i-1", "i-gone"}, "terminated");
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ((*result)[1]["state"], "terminated");
}

TEST_F(InstanceWaiterTest, NotFoundWhileWaitingForRunningIsAnError) {
  auto result = Wait({"i-gone"}, "running");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), "InvalidInstanceID.NotFound");
}

TEST_F(InstanceWaiterTest, ProgressLineOnTerminalIsClearedAtTheEnd) {
  instances_.Script("i-1", {"pending", "running"});
  ASSERT_TRUE(Wait({"i-1"}, "running", /*progress=*/true).ok());
  EXPECT_EQ(progress_.str(), "\r| waiting for running [0s]: i-1 pending\x1b[K\r\x1b[K");
}

TEST_F(InstanceWaiterTest, ProgressSummarisesManyInstancesByState) {
  instances_.Script("i-1", {"pending", "running"});
  instances_.Script("i-2", {"running"});
  instances_.Script("i-3", {"pending", "pending", "running"});
  ASSERT_TRUE(Wait({"i-1", "i-2", "i-3"}, "running", /*progress=*/true).ok());
  EXPECT_EQ(progress_.str(),
            "\r| waiting for running [0s]: 1/3 running, 2 pending\x1b[K"
            "\r/ waiting for running [1s]: 2/3 running, 1 pending\x1b[K"
            "\r\x1b[K");
}

}  // namespace
}  // namespace strato::cli
