#include "cli/client_config.h"

#include <gtest/gtest.h>

#include <map>

namespace strato::cli {
namespace {

constexpr char kFile[] =
    "[default]\n"
    "aws_access_key_id = AKIAFILE\n"
    "aws_secret_access_key = filesecret\n"
    "region = file-region\n"
    "endpoint_url = http://127.0.0.1:9001/\n"
    "[other]\n"
    "aws_access_key_id = AKIAOTHER\n"
    "aws_secret_access_key = othersecret\n"
    "[half]\n"
    "aws_access_key_id = AKIAHALF\n";

class ClientConfigTest : public ::testing::Test {
 protected:
  ClientConfigTest() {
    env_["HOME"] = "/home/u";
    files_["/home/u/.strato/credentials"] = kFile;
  }

  Result<ClientConfig> Resolve(const ConfigFlags& flags = {}) {
    ConfigSources sources;
    sources.getenv = [this](const std::string& name) -> std::optional<std::string> {
      auto it = env_.find(name);
      if (it == env_.end()) return std::nullopt;
      return it->second;
    };
    sources.read_file = [this](const std::string& path) -> Result<std::optional<std::string>> {
      read_paths_.push_back(path);
      auto it = files_.find(path);
      if (it == files_.end()) return std::optional<std::string>();
      return std::optional<std::string>(it->second);
    };
    return ResolveClientConfig(flags, sources);
  }

  std::map<std::string, std::string> env_;
  std::map<std::string, std::string> files_;
  std::vector<std::string> read_paths_;
};

TEST_F(ClientConfigTest, DefaultProfileFromHomeFile) {
  auto c = Resolve();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->profile, "default");
  EXPECT_EQ(c->access_key_id, "AKIAFILE");
  EXPECT_EQ(c->secret_access_key, "filesecret");
  EXPECT_EQ(c->region, "file-region");
  EXPECT_EQ(c->endpoint, "http://127.0.0.1:9001");  // trailing '/' dropped
}

TEST_F(ClientConfigTest, BuiltInDefaultsWhenProfileLacksThem) {
  env_["STRATO_PROFILE"] = "other";
  auto c = Resolve();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->access_key_id, "AKIAOTHER");
  EXPECT_EQ(c->endpoint, "http://127.0.0.1:8773");
  EXPECT_EQ(c->region, "strato-1");
}

TEST_F(ClientConfigTest, EnvironmentBeatsFile) {
  env_["STRATO_ENDPOINT"] = "http://127.0.0.1:7000";
  env_["STRATO_REGION"] = "env-region";
  env_["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  env_["AWS_SECRET_ACCESS_KEY"] = "envsecret";
  auto c = Resolve();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->endpoint, "http://127.0.0.1:7000");
  EXPECT_EQ(c->region, "env-region");
  EXPECT_EQ(c->access_key_id, "AKIAENV");
  EXPECT_EQ(c->secret_access_key, "envsecret");
}

TEST_F(ClientConfigTest, FlagsBeatEnvironment) {
  env_["STRATO_ENDPOINT"] = "http://127.0.0.1:7000";
  env_["STRATO_REGION"] = "env-region";
  env_["STRATO_PROFILE"] = "missing-profile";
  env_["STRATO_CREDENTIALS_FILE"] = "/nonexistent";
  files_["/etc/strato.ini"] = "[ops]\naws_access_key_id=AKIAOPS\naws_secret_access_key=s\n";
  ConfigFlags flags;
  flags.endpoint = "https://127.0.0.1:8443";
  flags.region = "flag-region";
  flags.profile = "ops";
  flags.credentials_file = "/etc/strato.ini";
  auto c = Resolve(flags);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->endpoint, "https://127.0.0.1:8443");
  EXPECT_EQ(c->region, "flag-region");
  EXPECT_EQ(c->profile, "ops");
  EXPECT_EQ(c->access_key_id, "AKIAOPS");
  EXPECT_EQ(read_paths_, std::vector<std::string>{"/etc/strato.ini"});
}

TEST_F(ClientConfigTest, EmptyEnvironmentValuesCountAsUnset) {
  env_["STRATO_ENDPOINT"] = "";
  env_["AWS_ACCESS_KEY_ID"] = "";
  auto c = Resolve();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->endpoint, "http://127.0.0.1:9001");
  EXPECT_EQ(c->access_key_id, "AKIAFILE");
}

TEST_F(ClientConfigTest, EnvironmentCredentialsWithoutAnyFile) {
  files_.clear();
  env_["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  env_["AWS_SECRET_ACCESS_KEY"] = "envsecret";
  auto c = Resolve();
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->endpoint, "http://127.0.0.1:8773");
  EXPECT_EQ(c->region, "strato-1");
}

TEST_F(ClientConfigTest, NoCredentialsAnywhere) {
  files_.clear();
  auto c = Resolve();
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find("no credentials"), std::string::npos);
  EXPECT_NE(c.status().message().find("/home/u/.strato/credentials"), std::string::npos);
}

TEST_F(ClientConfigTest, HalfTheCredentialsIsAClearError) {
  env_["AWS_ACCESS_KEY_ID"] = "AKIAENV";
  auto c = Resolve();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");

  env_.erase("AWS_ACCESS_KEY_ID");
  ConfigFlags flags;
  flags.profile = "half";
  c = Resolve(flags);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "profile 'half' in /home/u/.strato/credentials has no aws_secret_access_key");
}

TEST_F(ClientConfigTest, ExplicitMissingProfileOrFileIsAnError) {
  ConfigFlags flags;
  flags.profile = "nope";
  auto c = Resolve(flags);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "profile 'nope' not found in /home/u/.strato/credentials");

  env_["STRATO_CREDENTIALS_FILE"] = "/missing/creds";
  c = Resolve();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), "credentials file /missing/creds does not exist");
}

TEST_F(ClientConfigTest, MalformedFileIsReportedWithLine) {
  files_["/home/u/.strato/credentials"] = "[default]\nbroken line\n";
  auto c = Resolve();
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            "/home/u/.strato/credentials:2: expected 'key = value' or '[section]'");
}

TEST_F(ClientConfigTest, RejectsNonHttpEndpointAndBadRegion) {
  ConfigFlags flags;
  flags.endpoint = "127.0.0.1:8773";
  EXPECT_FALSE(Resolve(flags).ok());
  flags.endpoint = "http://127.0.0.1:8773";
  flags.region = "a:b";
  EXPECT_FALSE(Resolve(flags).ok());
}

}  // namespace
}  // namespace strato::cli
