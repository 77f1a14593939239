#include "controller/instance_controller.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>
#include <thread>

#include "agent/agent_messages.h"
#include "agent/agent_transport.h"
#include "commands/host_commands.h"
#include "commands/instance_commands.h"
#include "common/ids.h"
#include "drivers/hypervisor/sim/sim_driver.h"
#include "store/sqlite/sqlite_store.h"

namespace strato {
namespace {

using namespace std::chrono_literals;

// The control plane in miniature: a real store, commands, the controller and sim agents.
class ControllerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("strato-ctl-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    store_ = std::move(sqlite::SqliteStore::Open({.path = (dir_ / "db").string()})).value();
    env_.store = store_.get();
    InstanceControllerOptions o;
    o.resync_interval = 200ms;
    o.ensure_agent = [this](const Host& h) {
      if (agents_.HasAgent(h.id)) return;
      agents_.AddAgent(std::make_unique<HostAgent>(
          h.id, std::make_unique<SimDriver>(), *executor_,
          [this](const std::string& r) { controller_->OnReport(r); }));
    };
    controller_ = std::make_unique<InstanceController>(*store_, agents_, metrics_, o);
    env_.kick = [this](std::vector<std::string> ids) { controller_->Kick(std::move(ids)); };
    store_->Write([&](WriteTxn& t) {
      return t.InsertImage(Image{kImage, "t-a", "img", "", true, "available", 0});
    });
    controller_->Start();
  }
  void TearDown() override {
    controller_->Stop();
    // Runs what the agents still have queued while they and the controller exist; the
    // members would otherwise go first (agents_ before executor_) under a running task.
    executor_.reset();
    store_->Close();
    std::filesystem::remove_all(dir_);
  }
  std::string AddHost(int vcpus, int64_t mem) {
    HostCommands hosts(env_);
    AddHostInput in{.name = NewResourceId("n"), .vcpus = vcpus, .memory_mib = mem,
                    .cpu_ratio = 1.0};
    return hosts.Add(admin_, in)->id;
  }
  InstanceState StateOf(const std::string& id) {
    InstanceCommands cmds(env_);
    return cmds.Get(member_, id)->state;
  }
  bool WaitFor(const std::function<bool()>& pred) {
    for (int i = 0; i < 500; ++i) {
      if (pred()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return false;
  }

  Instance Stored(const std::string& id) {
    Instance i;
    EXPECT_TRUE(store_->Read([&](ReadTxn& t) {
      auto got = t.GetInstance(Scope::System(), id);
      if (got.ok()) i = std::move(got).value();
      return got.status();
    }).ok());
    return i;
  }
  // What a host would be told about `i` (only what the sim driver reads).
  static std::string Apply(const Instance& i, VmPowerState desired) {
    VmSpec spec{i.id, i.vcpus, i.memory_mib, "q35", i.image_id};
    return EncodeApply({spec, desired, false, i.reboot_generation, i.placement_generation});
  }
  std::string Console(const std::string& host, const std::string& id) {
    auto out = agents_.Call(host, EncodeConsoleCall(id, 1 << 16));
    return out.ok() ? nlohmann::json::parse(*out).value("output", "") : "";
  }
  // Launches an instance and stops it once it runs.
  void RunThenStop(std::string& id) {
    InstanceCommands cmds(env_);
    id = cmds.Run(member_, {.image_id = kImage, .instance_type = "t3.micro"})->front().id;
    ASSERT_TRUE(WaitFor([&] { return StateOf(id) == InstanceState::kRunning; }));
    ASSERT_TRUE(cmds.Act(member_, id, InstanceAction::kStop).ok());
    ASSERT_TRUE(WaitFor([&] { return StateOf(id) == InstanceState::kStopped; }));
  }
  // Holds the shared agent executor until the returned promise is set.
  std::promise<void> HoldAgents() {
    std::promise<void> gate;
    executor_->Post([held = gate.get_future().share()] { held.wait(); });
    return gate;
  }

  static constexpr const char* kImage = "ami-0123456789abcdef0";
  std::filesystem::path dir_;
  std::unique_ptr<sqlite::SqliteStore> store_;
  CommandEnv env_;
  MetricsRegistry metrics_;
  std::unique_ptr<SerialExecutor> executor_ = std::make_unique<SerialExecutor>();
  LocalAgentTransport agents_;
  std::unique_ptr<InstanceController> controller_;
  Principal admin_{"t-admin", "u-admin", "AKIA", Role::kAdmin};
  Principal member_{"t-a", "u-a", "AKIA", Role::kMember};
};

TEST_F(ControllerTest, RunStopStartTerminateConverge) {
  AddHost(4, 4096);
  InstanceCommands cmds(env_);
  auto run = cmds.Run(member_, {.image_id = kImage, .instance_type = "t3.micro"});
  ASSERT_TRUE(run.ok()) << run.status().ToString();
  std::string id = run->front().id;
  ASSERT_TRUE(WaitFor([&] { return StateOf(id) == InstanceState::kRunning; }));
  ASSERT_TRUE(cmds.Act(member_, id, InstanceAction::kStop).ok());
  ASSERT_TRUE(WaitFor([&] { return StateOf(id) == InstanceState::kStopped; }));
  EXPECT_FALSE(cmds.Get(member_, id)->host_id.has_value());
  ASSERT_TRUE(cmds.Act(member_, id, InstanceAction::kStart).ok());
  ASSERT_TRUE(WaitFor([&] { return StateOf(id) == InstanceState::kRunning; }));
  ASSERT_TRUE(cmds.Act(member_, id, InstanceAction::kTerminate).ok());
  ASSERT_TRUE(WaitFor([&] { return StateOf(id) == InstanceState::kTerminated; }));
}

// A stop the controller re-sent while the instance was stopping can still be queued on the
// host when the instance is started again there. Its "stopped" answer is about the earlier
// placement and must not stop the new one (which would leave its VM running unaccounted).
TEST_F(ControllerTest, AStopStillQueuedOnTheHostDoesNotStopTheNextStart) {
  std::string host = AddHost(4, 4096);
  InstanceCommands cmds(env_);
  std::string id;
  ASSERT_NO_FATAL_FAILURE(RunThenStop(id));
  const Instance stopped = Stored(id);

  std::promise<void> gate = HoldAgents();
  ASSERT_TRUE(agents_.Send(host, Apply(stopped, VmPowerState::kStopped)).ok());
  ASSERT_TRUE(cmds.Act(member_, id, InstanceAction::kStart).ok());
  ASSERT_TRUE(WaitFor([&] { return Stored(id).host_id.has_value(); }));  // start queued too
  EXPECT_EQ(Stored(id).placement_generation, stopped.placement_generation + 1);
  gate.set_value();

  ASSERT_TRUE(WaitFor([&] { return StateOf(id) == InstanceState::kRunning; }))
      << ToString(StateOf(id)) << ": " << cmds.Get(member_, id)->state_reason;
  std::this_thread::sleep_for(500ms);  // two resyncs later, still running
  EXPECT_EQ(StateOf(id), InstanceState::kRunning);
}

// The store is the truth: a VM found running on the host of an instance stopped here (after
// a lost message or an operator's hand) is stopped, and the instance stays stopped.
TEST_F(ControllerTest, AVmRunningForAStoppedInstanceIsStoppedOnItsHost) {
  std::string host = AddHost(4, 4096);
  InstanceCommands cmds(env_);
  std::string id;
  ASSERT_NO_FATAL_FAILURE(RunThenStop(id));

  ASSERT_TRUE(agents_.Send(host, Apply(Stored(id), VmPowerState::kRunning)).ok());
  ASSERT_TRUE(WaitFor([&] {
    std::string console = Console(host, id);
    return console.ends_with("sim: ACPI power-down\n") &&
           console.find("STRATO-READY", console.find("sim: ACPI power-down")) != std::string::npos;
  })) << Console(host, id);
  EXPECT_EQ(StateOf(id), InstanceState::kStopped);
  HostCommands hosts(env_);
  EXPECT_EQ(hosts.Get(admin_, host)->allocated_memory_mib, 0);
}

TEST_F(ControllerTest, ConcurrentLaunchesNeverOverbookAndWaitersArePlacedLater) {
  std::string host = AddHost(64, 4096);  // room for exactly 4 t3.micro (1 GiB each)
  InstanceCommands cmds(env_);
  std::vector<std::thread> threads;
  std::vector<std::string> ids(16);
  for (int n = 0; n < 16; ++n) {
    threads.emplace_back([&, n] {
      ids[n] = cmds.Run(member_, {.image_id = kImage, .instance_type = "t3.micro"})->front().id;
    });
  }
  for (auto& t : threads) t.join();
  auto count = [&](InstanceState s) {
    int n = 0;
    for (auto& id : ids) n += StateOf(id) == s;
    return n;
  };
  ASSERT_TRUE(WaitFor([&] { return count(InstanceState::kRunning) == 4; }));
  std::this_thread::sleep_for(300ms);  // a resync pass must not place more
  EXPECT_EQ(count(InstanceState::kRunning), 4);
  EXPECT_EQ(count(InstanceState::kPending), 12);
  HostCommands hosts(env_);
  EXPECT_LE(hosts.Get(admin_, host)->allocated_memory_mib, 4096);
  std::string waiting;
  for (auto& id : ids)
    if (StateOf(id) == InstanceState::kPending) waiting = id;
  EXPECT_NE(cmds.Get(member_, waiting)->state_reason.find("short of memory"), std::string::npos);
  for (auto& id : ids) {
    if (StateOf(id) == InstanceState::kRunning) {
      ASSERT_TRUE(cmds.Act(member_, id, InstanceAction::kTerminate).ok());
      break;
    }
  }
  ASSERT_TRUE(WaitFor([&] { return count(InstanceState::kTerminated) == 1 &&
                                   count(InstanceState::kRunning) == 4; }));
}

}  // namespace
}  // namespace strato
