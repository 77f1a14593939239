// The metadata server on real loopback sockets: identity by (segment, peer address),
// keep-alive, and the registry behind it.
#include "metadata/metadata_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "metadata/metadata_test_support.h"

namespace strato {
namespace {

using testing::SampleMetadata;

// A listener on 127.0.0.1 and its port.
std::pair<UniqueFd, int> LoopbackListener() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  EXPECT_EQ(::listen(fd, 16), 0);
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  return {UniqueFd(fd), ntohs(a.sin_port)};
}

// Sends raw HTTP on one connection and returns everything read until the peer closes.
std::string Exchange(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  EXPECT_EQ(::write(fd, request.data(), request.size()), static_cast<ssize_t>(request.size()));
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) out.append(buf, n);
  ::close(fd);
  return out;
}

TEST(MetadataServerTest, AnswersTheInstanceOwningThePeerAddressInItsSegment) {
  MetadataRegistry registry;
  MetadataTokenSigner signer("k");
  auto mine = SampleMetadata();
  mine.interfaces[0].vpc_id = "vpc-a";
  mine.interfaces[0].private_ip = "127.0.0.1";
  registry.Upsert(mine);
  auto theirs = SampleMetadata();  // same address, other VPC, other tenant
  theirs.instance_id = "i-0000000000000000b";
  theirs.interfaces[0].vpc_id = "vpc-b";
  theirs.interfaces[0].private_ip = "127.0.0.1";
  registry.Upsert(theirs);

  MetadataServer server(registry, signer, {.io_threads = 1});
  server.Start();
  auto [fd_a, port_a] = LoopbackListener();
  auto [fd_b, port_b] = LoopbackListener();
  server.AddListener("vpc-a", std::move(fd_a));
  server.AddListener("vpc-b", std::move(fd_b));

  const std::string get =
      "GET /latest/meta-data/instance-id HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /latest/meta-data/instance-id HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  std::string a = Exchange(port_a, get);
  EXPECT_NE(a.find("HTTP/1.1 200"), std::string::npos) << a;
  EXPECT_NE(a.find("i-0123456789abcdef0"), a.rfind("i-0123456789abcdef0")) << "two answers";
  std::string b = Exchange(port_b, get);
  EXPECT_NE(b.find("i-0000000000000000b"), std::string::npos) << b;
  EXPECT_EQ(b.find("i-0123456789abcdef0"), std::string::npos) << b;

  registry.Remove("i-0000000000000000b");
  std::string gone = Exchange(port_b, "GET /latest/meta-data/ HTTP/1.1\r\nHost: x\r\n"
                                      "Connection: close\r\n\r\n");
  EXPECT_NE(gone.find("HTTP/1.1 404"), std::string::npos) << gone;

  std::string garbage = Exchange(port_a, "NOT HTTP\r\n\r\n");
  EXPECT_EQ(garbage.find("200"), std::string::npos);
  EXPECT_EQ(server.Segments(), (std::set<std::string>{"vpc-a", "vpc-b"}));
  server.RemoveListener("vpc-b");
  EXPECT_EQ(server.Segments(), (std::set<std::string>{"vpc-a"}));
  server.Stop();
}

TEST(MetadataRegistryTest, ReplaceDropsWhatIsNotListed) {
  MetadataRegistry r;
  auto a = SampleMetadata();
  r.Upsert(a);
  auto b = SampleMetadata();
  b.instance_id = "i-b";
  b.interfaces[0].private_ip = "10.0.0.6";
  r.Replace({b});
  EXPECT_EQ(r.Find(a.interfaces[0].vpc_id, "10.0.0.5"), nullptr);
  ASSERT_NE(r.Find(b.interfaces[0].vpc_id, "10.0.0.6"), nullptr);
  EXPECT_EQ(r.size(), 1u);
  // An address reused by a newer instance is not unindexed by the old one's removal.
  auto c = SampleMetadata();
  c.instance_id = "i-c";
  c.interfaces[0].private_ip = "10.0.0.6";
  r.Upsert(c);
  r.Remove("i-b");
  ASSERT_NE(r.Find(c.interfaces[0].vpc_id, "10.0.0.6"), nullptr);
  EXPECT_EQ(r.Find(c.interfaces[0].vpc_id, "10.0.0.6")->instance_id, "i-c");
}

}  // namespace
}  // namespace strato
