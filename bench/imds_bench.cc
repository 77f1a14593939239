// Metadata service throughput and latency, measured the way a guest sees it: the real
// server (src/metadata: Beast, registry lookup, IMDS rules, per-response IP TTL) listening on
// 169.254.169.254:80 inside a network namespace this benchmark creates, and clients inside
// that namespace, each bound to the address of one instance of the registry.
//
//   imds_bench [--seconds S] [--clients C] [--instances N]
//
// Prints requests/s and latency percentiles for keep-alive IMDSv1 GETs, for one new
// connection per request (what boot scripts with nc/curl do), and for IMDSv2 (token PUT
// then GET on one connection). Needs root (ip netns); removes its namespace on exit.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/latency_stats.h"
#include "drivers/network/netns.h"
#include "metadata/metadata_server.h"
#include "metadata/metadata_service.h"

namespace strato::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::string Ip(int k) { return fmt::format("10.77.{}.{}", k / 250, 1 + k % 250); }

bool Sh(const std::string& cmd) { return std::system(cmd.c_str()) == 0; }

int Connect(const std::string& source) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in src{};
  src.sin_family = AF_INET;
  ::inet_pton(AF_INET, source.c_str(), &src.sin_addr);
  sockaddr_in dst{};
  dst.sin_family = AF_INET;
  dst.sin_port = htons(80);
  ::inet_pton(AF_INET, kMetadataAddress, &dst.sin_addr);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&src), sizeof src) != 0 ||
      ::connect(fd, reinterpret_cast<sockaddr*>(&dst), sizeof dst) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// Sends `req` and reads one response (headers + Content-Length body). Returns the body, or
// nullopt on a broken connection or a status other than 200.
std::optional<std::string> RoundTrip(int fd, const std::string& req) {
  if (::write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) return {};
  std::string in;
  char buf[4096];
  size_t header_end = std::string::npos, length = 0;
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n <= 0) return {};
    in.append(buf, n);
    if (header_end == std::string::npos && (header_end = in.find("\r\n\r\n")) != std::string::npos) {
      auto cl = in.find("Content-Length: ");
      if (cl == std::string::npos) cl = in.find("content-length: ");
      if (cl != std::string::npos) length = std::stoul(in.substr(cl + 16));
    }
    if (header_end != std::string::npos && in.size() >= header_end + 4 + length) break;
  }
  if (in.compare(0, 12, "HTTP/1.1 200") != 0) return {};
  return in.substr(header_end + 4, length);
}

struct Result {
  std::vector<double> latencies;
  size_t errors = 0;
};

enum class Mode { kKeepAlive, kConnectionPerRequest, kImdsV2 };

void Client(const std::string& ns, const std::string& source, Mode mode, Clock::time_point end,
            Result& out) {
  Status s = RunInNetns(ns, [&]() -> Status {
    const std::string get = "GET /latest/meta-data/instance-id HTTP/1.1\r\nHost: x\r\n\r\n";
    const std::string put =
        "PUT /latest/api/token HTTP/1.1\r\nHost: x\r\n"
        "X-aws-ec2-metadata-token-ttl-seconds: 60\r\n\r\n";
    int fd = -1;
    while (Clock::now() < end) {
      auto t0 = Clock::now();
      if (fd < 0) fd = Connect(source);
      bool ok = fd >= 0;
      if (ok && mode == Mode::kImdsV2) {
        auto token = RoundTrip(fd, put);
        ok = token && RoundTrip(fd, "GET /latest/meta-data/instance-id HTTP/1.1\r\nHost: x\r\n"
                                    "X-aws-ec2-metadata-token: " + *token + "\r\n\r\n");
      } else if (ok) {
        ok = RoundTrip(fd, get).has_value();
      }
      out.latencies.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
      if (!ok) ++out.errors;
      if (!ok || mode == Mode::kConnectionPerRequest) {
        if (fd >= 0) ::close(fd);
        fd = -1;
      }
    }
    if (fd >= 0) ::close(fd);
    return OkStatus();
  });
  if (!s.ok()) ++out.errors;
}

void Run(const std::string& ns, const char* name, Mode mode, int clients, int instances,
         double seconds) {
  std::vector<Result> results(clients);
  std::vector<std::thread> threads;
  auto start = Clock::now();
  auto end = start + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(seconds));
  for (int c = 0; c < clients; ++c)
    threads.emplace_back(Client, ns, Ip(c % instances), mode, end, std::ref(results[c]));
  for (auto& t : threads) t.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  size_t errors = 0;
  for (auto& r : results) {
    all.insert(all.end(), r.latencies.begin(), r.latencies.end());
    errors += r.errors;
  }
  auto sum = Summarize(all);
  fmt::print("{:<28} {:>9.0f} req/s  p50 {:>7.3f} ms  p99 {:>7.3f} ms  max {:>7.3f} ms  "
             "errors {}\n",
             name, static_cast<double>(sum.count) / elapsed, sum.p50 * 1e3, sum.p99 * 1e3,
             sum.max * 1e3, errors);
}

int Main(int argc, char** argv) {
  CLI::App app{"Metadata service requests/s and latency from inside a namespace"};
  double seconds = 5;
  int clients = 8, instances = 500;
  app.add_option("--seconds", seconds, "Per measurement");
  app.add_option("--clients", clients, "Concurrent client connections");
  app.add_option("--instances", instances, "Instances in the registry (1-60000)");
  CLI11_PARSE(app, argc, argv);

  const std::string ns = fmt::format("strato-bench-imds-{}", ::getpid());
  if (!Sh("ip netns add " + ns) || !Sh("ip -n " + ns + " link set lo up")) return 1;
  int rc = 0;
  {
    MetadataRegistry registry;
    MetadataTokenSigner signer;
    std::string batch;
    for (int k = 0; k < instances; ++k) {
      InstanceMetadata m;
      m.instance_id = fmt::format("i-{:017x}", k);
      m.tenant_id = "t-bench";
      m.image_id = "ami-00000000000000000";
      m.instance_type = "t3.nano";
      m.zone = "strato-1a";
      m.region = "strato-1";
      m.interfaces.push_back({"02:00:00:00:00:01", Ip(k), "vpc-bench", "subnet-bench",
                              "10.77.0.0/16", "eni-bench"});
      registry.Upsert(std::move(m));
      batch += fmt::format("address add {}/32 dev lo\n", Ip(k));
    }
    batch += fmt::format("address add {}/32 dev lo\n", kMetadataAddress);
    std::string file = "/tmp/" + ns + ".batch";
    FILE* f = std::fopen(file.c_str(), "w");
    std::fputs(batch.c_str(), f);
    std::fclose(f);
    bool addressed = Sh("ip -n " + ns + " -batch " + file);
    std::remove(file.c_str());
    MetadataServer server(registry, signer);
    server.Start();
    auto listener = OpenListenerInNetns(ns);
    if (!addressed || !listener.ok()) {
      fmt::print(stderr, "setup failed: {}\n", listener.status().ToString());
      rc = 1;
    } else {
      server.AddListener("vpc-bench", std::move(listener).value());
      fmt::print("metadata service, {} instances, {} clients, {} s each, 2 server threads\n",
                 instances, clients, seconds);
      Run(ns, "IMDSv1 keep-alive", Mode::kKeepAlive, clients, instances, seconds);
      Run(ns, "IMDSv1 connection/request", Mode::kConnectionPerRequest, clients, instances,
          seconds);
      Run(ns, "IMDSv2 token+GET", Mode::kImdsV2, clients, instances, seconds);
    }
    server.Stop();
  }
  Sh("ip netns del " + ns);
  return rc;
}

}  // namespace
}  // namespace strato::bench

int main(int argc, char** argv) { return strato::bench::Main(argc, argv); }
