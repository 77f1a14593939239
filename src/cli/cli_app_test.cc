// End to end: RunCli with the real curl transport against a loopback server.
#include "cli/cli_app.h"

#include <gtest/gtest.h>

#include <map>
#include <sstream>

#include "cli/exit_codes.h"
#include "cli/testing/fake_clock.h"
#include "cli/testing/loopback_http_server.h"

namespace strato::cli {
namespace {

using testing::CannedReply;
using testing::FakeClock;
using testing::LoopbackHttpServer;
using testing::RecordedRequest;

constexpr char kInstance[] =
    R"({"id":"i-0abc","name":"web","state":"running","instance_type":"t3.micro",)"
    R"("zone":"strato-1a","host_id":"h-1","image_id":"ami-1","tags":{"env":"prod"}})";

CannedReply NotFound() {
  return {
      404,
      R"({"error":{"code":"InvalidInstanceID.NotFound","message":"The instance ID 'i-0abc' does not exist"},"request_id":"r"})"};
}

class CliAppTest : public ::testing::Test {
 protected:
  CliAppTest() {
    env_vars_["AWS_ACCESS_KEY_ID"] = "AKID";
    env_vars_["AWS_SECRET_ACCESS_KEY"] = "secret";
    env_vars_["HOME"] = "/home/nobody";
  }

  void Serve(LoopbackHttpServer::Handler handler) {
    server_ = std::make_unique<LoopbackHttpServer>(std::move(handler));
    env_vars_["STRATO_ENDPOINT"] = server_->endpoint();
  }

  int Run(std::vector<std::string> args) {
    args.insert(args.begin(), "strato");
    CliEnvironment env = SystemCliEnvironment();
    env.sources.getenv = [this](const std::string& name) -> std::optional<std::string> {
      auto it = env_vars_.find(name);
      if (it == env_vars_.end()) return std::nullopt;
      return it->second;
    };
    env.sources.read_file = [this](const std::string& path) -> Result<std::optional<std::string>> {
      auto it = files_.find(path);
      if (it == files_.end()) return std::optional<std::string>();
      return std::optional<std::string>(it->second);
    };
    env.clock = &clock_;
    env.stderr_is_tty = false;
    out_.str("");
    err_.str("");
    return RunCli(args, env, out_, err_);
  }

  std::vector<RecordedRequest> Requests() const {
    return server_ ? server_->requests() : std::vector<RecordedRequest>{};
  }

  std::map<std::string, std::string> env_vars_;
  std::map<std::string, std::string> files_;
  std::unique_ptr<LoopbackHttpServer> server_;
  FakeClock clock_;
  std::ostringstream out_;
  std::ostringstream err_;
};

TEST_F(CliAppTest, ShowPrintsFieldsAndExitsZero) {
  Serve([](const RecordedRequest&) { return CannedReply{200, kInstance}; });
  EXPECT_EQ(Run({"instance", "show", "i-0abc"}), kExitOk) << err_.str();
  EXPECT_EQ(Requests().at(0).target, "/v1/instances/i-0abc");
  EXPECT_NE(Requests().at(0).Header("Authorization").find("AKID/"), std::string::npos);
  EXPECT_NE(out_.str().find("FIELD          VALUE\nid             i-0abc\n"), std::string::npos)
      << out_.str();
  EXPECT_EQ(err_.str(), "");
}

TEST_F(CliAppTest, JsonOutputIsTheApiJsonPrettyPrinted) {
  Serve([](const RecordedRequest&) { return CannedReply{200, kInstance}; });
  EXPECT_EQ(Run({"instance", "show", "i-0abc", "-o", "json"}), kExitOk) << err_.str();
  EXPECT_EQ(out_.str(), Json::parse(kInstance).dump(2) + "\n");
}

TEST_F(CliAppTest, HttpErrorStatusesExitThree) {
  for (const CannedReply& reply :
       {NotFound(),
        CannedReply{409, R"({"error":{"code":"IncorrectInstanceState","message":"m"}})"},
        CannedReply{403, R"({"error":{"code":"SignatureDoesNotMatch","message":"m"}})"},
        CannedReply{500, "oops"}}) {
    Serve([reply](const RecordedRequest&) { return reply; });
    EXPECT_EQ(Run({"instance", "show", "i-0abc"}), kExitApiError) << reply.status;
    EXPECT_EQ(out_.str(), "");
  }
  Serve([](const RecordedRequest&) { return NotFound(); });
  Run({"instance", "show", "i-0abc"});
  EXPECT_EQ(err_.str(),
            "error: InvalidInstanceID.NotFound: The instance ID 'i-0abc' does not exist "
            "(request id req-1)\n");
}

TEST_F(CliAppTest, UnreachableEndpointExitsFiveNamingIt) {
  const std::string endpoint =
      "http://127.0.0.1:" + std::to_string(LoopbackHttpServer::UnusedPort());
  EXPECT_EQ(Run({"--endpoint", endpoint, "region", "show"}), kExitConnection);
  EXPECT_EQ(err_.str().rfind("error: cannot reach endpoint " + endpoint + ": ", 0), 0u)
      << err_.str();
}

TEST_F(CliAppTest, UsageErrorsExitTwoWithoutCallingTheApi) {
  Serve([](const RecordedRequest&) { return CannedReply{200, "{}"}; });
  EXPECT_EQ(Run({"instance"}), kExitUsage);
  EXPECT_EQ(Run({"instance", "frobnicate"}), kExitUsage);
  EXPECT_EQ(Run({"instance", "list", "--no-such-flag"}), kExitUsage);
  EXPECT_EQ(Run({"-o", "yaml", "type", "list"}), kExitUsage);
  EXPECT_EQ(Run({"instance", "run", "--image-id", "ami-1"}), kExitUsage);  // --type missing
  EXPECT_EQ(Run({"instance", "run", "--image-id", "ami-1", "--type", "t", "--count", "0"}),
            kExitUsage);
  EXPECT_EQ(Run({"host", "add", "--name", "h", "--vcpus", "8", "--memory", "16GB"}), kExitUsage);
  EXPECT_NE(err_.str().find("memory size '16GB' has an unknown unit 'GB'"), std::string::npos)
      << err_.str();
  EXPECT_EQ(Run({"instance", "run", "--image-id", "ami-1", "--type", "t", "--tag", "novalue"}),
            kExitUsage);
  EXPECT_EQ(err_.str(), "error: tag 'novalue' must be KEY=VALUE\n");
  EXPECT_EQ(Run({"key-pair", "import", "--name", "k", "--public-key-file", "/nope.pub"}),
            kExitUsage);
  EXPECT_TRUE(Requests().empty());
}

TEST_F(CliAppTest, MissingCredentialsIsAUsageError) {
  Serve([](const RecordedRequest&) { return CannedReply{200, "{}"}; });
  env_vars_.erase("AWS_ACCESS_KEY_ID");
  env_vars_.erase("AWS_SECRET_ACCESS_KEY");
  EXPECT_EQ(Run({"type", "list"}), kExitUsage);
  EXPECT_NE(err_.str().find("no credentials"), std::string::npos) << err_.str();
  EXPECT_TRUE(Requests().empty());
}

TEST_F(CliAppTest, ProfileFileSuppliesCredentialsAndRegion) {
  Serve([](const RecordedRequest&) { return CannedReply{200, R"({"instance_types":[]})"}; });
  env_vars_.erase("AWS_ACCESS_KEY_ID");
  env_vars_.erase("AWS_SECRET_ACCESS_KEY");
  files_["/etc/creds"] =
      "[lab]\naws_access_key_id = AKIALAB\naws_secret_access_key = s\nregion = lab-1\n";
  EXPECT_EQ(Run({"type", "list", "--credentials-file", "/etc/creds", "--profile", "lab"}), kExitOk)
      << err_.str();
  EXPECT_NE(Requests().at(0).Header("Authorization").find("Credential=AKIALAB/"),
            std::string::npos);
  EXPECT_NE(Requests().at(0).Header("Authorization").find("/lab-1/strato/aws4_request"),
            std::string::npos);
}

TEST_F(CliAppTest, HelpDocumentsExitCodes) {
  EXPECT_EQ(Run({"--help"}), kExitOk);
  EXPECT_NE(out_.str().find("Exit codes:"), std::string::npos);
  EXPECT_NE(out_.str().find("5  connection failure"), std::string::npos);
  EXPECT_NE(out_.str().find("instance"), std::string::npos);
}

TEST_F(CliAppTest, RunSendsTypedBodyAndWaitsForRunning) {
  int polls = 0;
  Serve([&polls](const RecordedRequest& r) {
    if (r.method == "POST") {
      return CannedReply{202, R"({"instances":[{"id":"i-1","state":"pending"}]})"};
    }
    const char* state = ++polls < 3 ? "pending" : "running";
    return CannedReply{200, std::string(R"({"id":"i-1","state":")") + state + "\"}"};
  });
  EXPECT_EQ(Run({"instance", "run", "--image-id", "ami-1", "--type", "t3.micro", "--count", "1",
                 "--name", "web", "--tag", "env=prod", "--tag", "team=a=b", "--zone", "strato-1a",
                 "--placement", "spread", "--wait"}),
            kExitOk)
      << err_.str();
  const auto requests = Requests();
  ASSERT_EQ(requests.size(), 4u);
  EXPECT_EQ(requests[0].target, "/v1/instances");
  EXPECT_EQ(Json::parse(requests[0].body),
            Json::parse(R"({"image_id":"ami-1","instance_type":"t3.micro","count":1,"name":"web",
              "tags":{"env":"prod","team":"a=b"},"zone":"strato-1a","placement_policy":"spread"})"));
  EXPECT_EQ(requests[3].target, "/v1/instances/i-1");
  EXPECT_EQ(out_.str(),
            "ID   NAME  STATE    TYPE  ZONE  HOST  IMAGE  PRIVATE_IP  TAGS\n"
            "i-1  -     running  -     -     -     -      -           -\n");
}

TEST_F(CliAppTest, RunMapsVolumesAndRefusesMalformedOnes) {
  Serve([](const RecordedRequest&) {
    return CannedReply{202, R"({"instances":[{"id":"i-1","state":"pending"}]})"};
  });
  EXPECT_EQ(Run({"instance", "run", "--image-id", "ami-1", "--type", "t3.micro", "--volume",
                 "/dev/sdf:2:gp3", "--volume", "/dev/sdg:snap-1:keep"}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(Json::parse(Requests().at(0).body),
            Json::parse(R"({"image_id":"ami-1","instance_type":"t3.micro","count":1,
              "block_devices":[{"device":"/dev/sdf","size_gib":2,"volume_type":"gp3"},
              {"device":"/dev/sdg","snapshot_id":"snap-1","delete_on_termination":false}]})"));
  EXPECT_EQ(
      Run({"instance", "run", "--image-id", "ami-1", "--type", "t3.micro", "--volume", "/dev/sdf"}),
      kExitUsage);
  EXPECT_EQ(Requests().size(), 1u);
}

TEST_F(CliAppTest, WaitTimeoutExitsFour) {
  Serve([](const RecordedRequest& r) {
    if (r.method == "POST") return CannedReply{202, R"({"id":"i-1","state":"stopping"})"};
    return CannedReply{200, R"({"id":"i-1","state":"stopping"})"};
  });
  EXPECT_EQ(Run({"instance", "stop", "i-1", "--wait", "--timeout", "5"}), kExitTimeout);
  EXPECT_NE(err_.str().find("error: timed out after 5s waiting for stopped: i-1 is stopping"),
            std::string::npos)
      << err_.str();
  EXPECT_EQ(Json::parse(Requests().at(0).body), Json::parse(R"({"force":false})"));
}

TEST_F(CliAppTest, WaitForRunningFailsFastOnTerminated) {
  Serve([](const RecordedRequest& r) {
    if (r.method == "POST") return CannedReply{202, R"({"id":"i-1","state":"pending"})"};
    return CannedReply{200, R"({"id":"i-1","state":"terminated","state_reason":"boot failed"})"};
  });
  EXPECT_EQ(Run({"instance", "start", "i-1", "--wait"}), kExitApiError);
  EXPECT_NE(err_.str().find("error: InstanceTerminated: i-1 is terminated (boot failed)"),
            std::string::npos)
      << err_.str();
}

TEST_F(CliAppTest, ActionOnSeveralIdsReportsEachFailure) {
  Serve([](const RecordedRequest& r) {
    if (r.target == "/v1/instances/i-2/terminate") return NotFound();
    return CannedReply{202, R"({"id":"i-x","state":"shutting-down"})"};
  });
  EXPECT_EQ(Run({"instance", "terminate", "i-1", "i-2", "i-3"}), kExitApiError);
  EXPECT_EQ(Requests().size(), 3u);
  EXPECT_NE(err_.str().find("error: i-2: InvalidInstanceID.NotFound:"), std::string::npos);
  EXPECT_NE(err_.str().find("error: InvalidInstanceID.NotFound: 1 of 3 instances refused "
                            "'terminate'"),
            std::string::npos)
      << err_.str();
}

TEST_F(CliAppTest, ListFiltersAndFollowsPagesWithAll) {
  Serve([](const RecordedRequest& r) {
    if (r.Query().find("next_token=p2") != std::string::npos) {
      return CannedReply{200, R"({"instances":[{"id":"i-2","state":"running"}]})"};
    }
    return CannedReply{200, R"({"instances":[{"id":"i-1","state":"running"}],"next_token":"p2"})"};
  });
  EXPECT_EQ(Run({"instance", "list", "--state", "running", "--tag", "Env=prod", "--page-size", "1",
                 "--all"}),
            kExitOk)
      << err_.str();
  const auto requests = Requests();
  ASSERT_EQ(requests.size(), 2u);
  EXPECT_EQ(requests[0].Query(), "page_size=1&state=running&tag%3AEnv=prod");
  EXPECT_EQ(requests[1].Query(), "next_token=p2&page_size=1&state=running&tag%3AEnv=prod");
  EXPECT_NE(out_.str().find("i-1"), std::string::npos);
  EXPECT_NE(out_.str().find("i-2"), std::string::npos);

  EXPECT_EQ(Run({"instance", "list"}), kExitOk);
  EXPECT_EQ(err_.str(), "(more results: add --all, or --next-token p2)\n");
}

TEST_F(CliAppTest, HostAddConvertsMemoryToMib) {
  Serve([](const RecordedRequest&) { return CannedReply{201, R"({"id":"h-1"})"}; });
  EXPECT_EQ(Run({"host", "add", "--name", "n1", "--vcpus", "16", "--memory", "16GiB", "--zone",
                 "strato-1b", "--cpu-ratio", "2"}),
            kExitOk)
      << err_.str();
  EXPECT_EQ(Json::parse(Requests().at(0).body),
            Json::parse(R"({"name":"n1","driver":"sim","vcpus":16,"memory_mib":16384,
                            "zone":"strato-1b","cpu_ratio":2.0})"));
  EXPECT_EQ(Run({"host", "add-sim", "--count", "1000", "--vcpus", "64", "--memory", "256GiB"}),
            kExitOk);
  EXPECT_EQ(Requests().at(1).target, "/v1/hosts/sim");
  EXPECT_EQ(Json::parse(Requests().at(1).body),
            Json::parse(R"({"count":1000,"vcpus":64,"memory_mib":262144})"));
}

TEST_F(CliAppTest, ConsolePrintsOutputRaw) {
  Serve([](const RecordedRequest&) {
    return CannedReply{200, R"({"instance_id":"i-1","output":"Booting...\nlogin: "})"};
  });
  EXPECT_EQ(Run({"instance", "console", "i-1"}), kExitOk);
  EXPECT_EQ(Requests().at(0).target, "/v1/instances/i-1/console");
  EXPECT_EQ(out_.str(), "Booting...\nlogin: ");
}

TEST_F(CliAppTest, TagCommandsBuildTheirBodies) {
  Serve([](const RecordedRequest&) { return CannedReply{204, ""}; });
  EXPECT_EQ(Run({"tag", "add", "i-1", "vol-2", "--tag", "a=1", "b=2"}), kExitOk) << err_.str();
  EXPECT_EQ(Run({"tag", "remove", "i-1", "--key", "a", "--key", "b"}), kExitOk) << err_.str();
  const auto r = Requests();
  ASSERT_EQ(r.size(), 2u);
  EXPECT_EQ(r[0].method, "PUT");
  EXPECT_EQ(Json::parse(r[0].body),
            Json::parse(R"({"resource_ids":["i-1","vol-2"],"tags":{"a":"1","b":"2"}})"));
  EXPECT_EQ(r[1].method, "DELETE");
  EXPECT_EQ(Json::parse(r[1].body), Json::parse(R"({"resource_ids":["i-1"],"keys":["a","b"]})"));
  EXPECT_EQ(out_.str(), "");
}

TEST_F(CliAppTest, ImageSharingVerbsPatchTheLaunchPermission) {
  Serve([](const RecordedRequest&) {
    return CannedReply{200, R"({"image_id":"ami-1","public":false,"tenants":["t-2"]})"};
  });
  EXPECT_EQ(Run({"image", "share", "ami-1", "--tenant", "t-2", "--tenant", "t-3"}), kExitOk)
      << err_.str();
  EXPECT_EQ(Run({"image", "unshare", "ami-1", "--tenant", "t-3"}), kExitOk) << err_.str();
  EXPECT_EQ(Run({"image", "set-public", "ami-1", "true"}), kExitOk) << err_.str();
  EXPECT_EQ(Run({"image", "permissions", "ami-1"}), kExitOk) << err_.str();
  EXPECT_EQ(Run({"image", "set-public", "ami-1", "maybe"}), kExitUsage);
  EXPECT_EQ(Run({"image", "share", "ami-1"}), kExitUsage);  // --tenant missing
  const auto r = Requests();
  ASSERT_EQ(r.size(), 4u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(r[i].method, "PATCH");
    EXPECT_EQ(r[i].target, "/v1/images/ami-1/launch-permission");
  }
  EXPECT_EQ(Json::parse(r[0].body), Json::parse(R"({"add":["t-2","t-3"]})"));
  EXPECT_EQ(Json::parse(r[1].body), Json::parse(R"({"remove":["t-3"]})"));
  EXPECT_EQ(Json::parse(r[2].body), Json::parse(R"({"public":true})"));
  EXPECT_EQ(r[3].method, "GET");
  EXPECT_EQ(r[3].target, "/v1/images/ami-1/launch-permission");
}

TEST_F(CliAppTest, KeyPairImportReadsThePublicKeyFile) {
  Serve([](const RecordedRequest&) { return CannedReply{201, R"({"id":"key-1"})"}; });
  files_["/k.pub"] = "ssh-ed25519 AAAAC3Nza me@host\n";
  EXPECT_EQ(Run({"key-pair", "import", "--name", "me", "--public-key-file", "/k.pub"}), kExitOk)
      << err_.str();
  EXPECT_EQ(Json::parse(Requests().at(0).body),
            Json::parse(R"({"name":"me","public_key":"ssh-ed25519 AAAAC3Nza me@host"})"));
}

}  // namespace
}  // namespace strato::cli
