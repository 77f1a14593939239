// strato_bench_launch: the foundation scale benchmark.
//
// Starts a fresh stratod (or attaches to one), registers sim hosts, launches N instances with
// C concurrent keep-alive clients (K instances per POST), waits until all are running, lists
// them 1,000 per page, and prints the figures beside their targets. A benchmark, not a test:
// it exits 0 whether or not the targets are met (1 only when it cannot run at all).
// See bench/README.md.

#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "bench/bench_http_client.h"
#include "bench/latency_stats.h"
#include "bench/launch_load.h"
#include "bench/prometheus_text.h"
#include "bench/stratod_process.h"

namespace strato::bench {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

constexpr double kTargetLaunchesPerSecond = 1000;
constexpr double kTargetListP99Seconds = 0.050;
constexpr double kTargetRssMegabytes = 300;  // decimal MB

struct BenchOptions {
  std::string stratod;
  std::string endpoint;     // attach mode when set
  std::string credentials;  // attach mode
  int pid = 0;              // attach mode, for memory figures
  std::vector<std::string> stratod_args;
  std::string temp_base = "/tmp";
  bool keep_data_dir = false;
  int64_t instances = 100000;
  int hosts = 1000;
  int host_vcpus = 64;
  int64_t host_memory_mib = 262144;
  int clients = 32;
  int per_request = 1;
  std::string instance_type = "t3.micro";
  int list_requests = 200;
  int running_timeout_s = 900;
  int poll_interval_ms = 250;
  bool quick = false;
};

std::string DefaultStratodPath() {
  // <build>/bench/strato_bench_launch -> <build>/src/daemon/stratod
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "stratod";
  return (self.parent_path().parent_path() / "src/daemon/stratod").string();
}

struct Figures {
  int64_t instances = 0;
  double hosts_seconds = 0;
  LaunchOutcome launch;
  LatencySummary launch_latency;
  std::optional<double> all_running_s;
  int64_t running_at_end = 0, pending_at_end = 0;
  HistogramSnapshot decision, commit, post_route, list_route;
  double transactions = 0;
  LatencySummary list_latency;
  int64_t list_instances_seen = 0;
  std::string list_error;
  double metrics_scrape_s = 0;
  std::optional<ProcessMemory> memory;
};

// ---- setup ----

Result<json> CallJson(BenchHttpClient& c, std::string_view method, std::string_view target,
                      const json& body, int want_status) {
  auto res = c.Request(method, target, body.is_null() ? std::string() : body.dump());
  if (!res.ok()) return res.status();
  if (res->status != want_status) {
    return Internal(std::string(method) + " " + std::string(target) + " answered HTTP " +
                    std::to_string(res->status) + ": " + res->body);
  }
  if (res->body.empty()) return json();
  json j = json::parse(res->body, nullptr, false);
  if (j.is_discarded()) return Internal("unparsable JSON from " + std::string(target));
  return j;
}

Status AddSimHosts(BenchHttpClient& admin, const BenchOptions& o) {
  for (int added = 0; added < o.hosts;) {
    const int count = std::min(o.hosts - added, 10000);  // the route's per-call limit
    STRATO_RETURN_IF_ERROR(CallJson(admin, "POST", "/v1/hosts/sim",
                                    {{"count", count},
                                     {"vcpus", o.host_vcpus},
                                     {"memory_mib", o.host_memory_mib},
                                     {"name_prefix", "bench-"}},
                                    201)
                               .status());
    added += count;
  }
  return OkStatus();
}

Result<std::string> FindGuestImage(BenchHttpClient& admin) {
  STRATO_ASSIGN_OR_RETURN(json j, CallJson(admin, "GET", "/v1/images?page_size=1000", nullptr, 200));
  for (const json& image : j.value("images", json::array())) {
    if (image.value("name", "") == "strato-guest" && image.value("public", false)) {
      return image.value("id", "");
    }
  }
  return NotFound("InvalidAMIID.NotFound", "no public strato-guest image");
}

Result<PrometheusText> Scrape(BenchHttpClient& c, double* seconds = nullptr) {
  const auto start = Clock::now();
  auto res = c.Request("GET", "/metrics", {}, /*sign=*/false);
  if (seconds) *seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!res.ok()) return res.status();
  if (res->status != 200) return Internal("GET /metrics answered " + std::to_string(res->status));
  return PrometheusText(res->body);
}

HistogramSnapshot HistogramOf(const PrometheusText& t, std::string_view name,
                              const LabelSet& labels = {}) {
  return t.Histogram(name, labels).value_or(HistogramSnapshot{});
}

// ---- phases ----

// Follows next_token from the first page; wraps to the first page after the last one.
void MeasureListing(BenchHttpClient& admin, const BenchOptions& o, Figures& f) {
  std::vector<double> samples;
  std::string token;
  for (int r = 0; r < o.list_requests; ++r) {
    std::string target = "/v1/instances?page_size=1000";
    if (!token.empty()) target += "&next_token=" + QueryEscape(token);
    const auto start = Clock::now();
    auto res = admin.Request("GET", target);
    samples.push_back(std::chrono::duration<double>(Clock::now() - start).count());
    if (!res.ok() || res->status != 200) {
      f.list_error = res.ok() ? "HTTP " + std::to_string(res->status) + ": " + res->body
                              : res.status().ToString();
      break;
    }
    json page = json::parse(res->body, nullptr, false);
    f.list_instances_seen += static_cast<int64_t>(page.value("instances", json::array()).size());
    token = page.value("next_token", "");
  }
  f.list_latency = Summarize(samples);
}

void PrintProgress(const char* phase, int64_t done, int64_t total, double seconds,
                   const RunningWatcher& w) {
  std::fprintf(stderr, "[%s] %6.1fs acked %lld/%lld (%.0f/s)  running %lld  pending %lld\n", phase,
               seconds, static_cast<long long>(done), static_cast<long long>(total),
               seconds > 0 ? static_cast<double>(done) / seconds : 0.0,
               static_cast<long long>(w.running()), static_cast<long long>(w.pending()));
}

void RunLaunchPhase(const BenchOptions& o, const std::string& endpoint, const Credentials& creds,
                    const std::string& image_id, BenchHttpClient& admin, Figures& f) {
  auto before = Scrape(admin);
  const PrometheusText empty("");
  const PrometheusText& b = before.ok() ? *before : empty;
  const int64_t running_before =
      static_cast<int64_t>(b.Value("strato_instances", {{"state", "running"}}).value_or(0));

  RunningWatcher watcher(endpoint, std::chrono::milliseconds(o.poll_interval_ms));
  LaunchPlan plan{endpoint, creds, image_id, o.instance_type, o.instances, o.per_request,
                  o.clients};
  const auto start = Clock::now();
  watcher.Start(running_before + o.instances);
  f.launch = RunLaunches(plan, [&](int64_t acked) {
    PrintProgress("launch", acked, o.instances,
                  std::chrono::duration<double>(Clock::now() - start).count(), watcher);
  });
  f.launch_latency = Summarize(f.launch.latencies_s);
  std::fprintf(stderr, "[launch] all requests answered in %.1fs; waiting for running\n",
               f.launch.seconds);
  // The timeout counts from the last answer: placement may lag a long launch phase.
  const auto deadline = Clock::now() + std::chrono::seconds(o.running_timeout_s);
  for (;;) {
    f.all_running_s = watcher.Wait(std::chrono::seconds(5));
    if (f.all_running_s || Clock::now() >= deadline) break;
    PrintProgress("running", f.launch.acked_instances, o.instances,
                  std::chrono::duration<double>(Clock::now() - start).count(), watcher);
  }
  watcher.Stop();
  f.running_at_end = watcher.running() - running_before;
  f.pending_at_end = watcher.pending();

  auto after = Scrape(admin);
  if (!after.ok()) return;
  f.decision = HistogramOf(*after, "strato_scheduler_decision_seconds")
                   .Minus(HistogramOf(b, "strato_scheduler_decision_seconds"));
  f.commit = HistogramOf(*after, "strato_store_commit_seconds")
                 .Minus(HistogramOf(b, "strato_store_commit_seconds"));
  const LabelSet post{{"route", "POST /v1/instances"}};
  f.post_route = HistogramOf(*after, "strato_http_request_duration_seconds", post)
                     .Minus(HistogramOf(b, "strato_http_request_duration_seconds", post));
  f.transactions = after->Value("strato_store_transactions_total").value_or(0) -
                   b.Value("strato_store_transactions_total").value_or(0);
}

// ---- report ----

std::string Ms(double s) { return fmt::format("{:.1f} ms", s * 1e3); }
std::string Us(double s) { return fmt::format("{:.1f} µs", s * 1e6); }
const char* Verdict(bool met) { return met ? "met" : "MISSED"; }

void PrintReport(const BenchOptions& o, const Figures& f) {
  const double launches_per_s =
      f.launch.seconds > 0 ? static_cast<double>(f.launch.acked_instances) / f.launch.seconds : 0;
  const double rss_mb = f.memory ? f.memory->rss_mib * 1.048576 : 0;
  const double hwm_mb = f.memory ? f.memory->hwm_mib * 1.048576 : 0;
  std::printf("\n## strato_bench_launch: N=%lld instances, K=%d per request, C=%d clients, "
              "%d sim hosts (%d vCPU, %lld MiB)\n\n",
              static_cast<long long>(o.instances), o.per_request, o.clients, o.hosts,
              o.host_vcpus, static_cast<long long>(o.host_memory_mib));
  std::printf("| figure | measured | target |\n|---|---|---|\n");
  std::printf("| sustained launches/s (202 acknowledged, durable) | %.0f /s (%lld in %.1f s) | "
              "≥ %.0f /s: %s |\n",
              launches_per_s, static_cast<long long>(f.launch.acked_instances), f.launch.seconds,
              kTargetLaunchesPerSecond, Verdict(launches_per_s >= kTargetLaunchesPerSecond));
  std::printf("| launch requests/s | %.0f /s (%lld ok, %lld failed) | |\n",
              f.launch.seconds > 0 ? static_cast<double>(f.launch.requests_ok) / f.launch.seconds
                                   : 0,
              static_cast<long long>(f.launch.requests_ok),
              static_cast<long long>(f.launch.requests_failed));
  std::printf("| time until all N running (from first launch) | %s | |\n",
              f.all_running_s ? fmt::format("{:.1f} s", *f.all_running_s).c_str()
                              : fmt::format("not reached ({} running, {} pending)",
                                            f.running_at_end, f.pending_at_end)
                                    .c_str());
  const LatencySummary& l = f.launch_latency;
  std::printf("| launch API latency p50 / p90 / p99 / max | %s / %s / %s / %s | |\n",
              Ms(l.p50).c_str(), Ms(l.p90).c_str(), Ms(l.p99).c_str(), Ms(l.max).c_str());
  std::printf("| placement decision mean / p99 (histogram, %.0f decisions) | %s / %s | |\n",
              f.decision.count, Us(f.decision.Mean()).c_str(),
              Us(f.decision.Quantile(0.99)).c_str());
  std::printf("| list 1,000-instance page p50 / p99 (%zu requests) | %s / %s | p99 < %.0f ms: %s |\n",
              f.list_latency.count, Ms(f.list_latency.p50).c_str(),
              Ms(f.list_latency.p99).c_str(), kTargetListP99Seconds * 1e3,
              Verdict(f.list_latency.count > 0 && f.list_latency.p99 < kTargetListP99Seconds));
  if (f.memory) {
    std::printf("| stratod VmRSS / VmHWM at end | %.0f MB / %.0f MB | RSS < %.0f MB: %s |\n",
                rss_mb, hwm_mb, kTargetRssMegabytes, Verdict(rss_mb < kTargetRssMegabytes));
  } else {
    std::printf("| stratod VmRSS / VmHWM at end | unknown (no --pid) | < %.0f MB |\n",
                kTargetRssMegabytes);
  }

  std::printf("\nWhere the time goes (stratod's /metrics over the launch phase):\n");
  std::printf("- hosts: %d sim hosts registered in %.2f s\n", o.hosts, f.hosts_seconds);
  std::printf("- POST /v1/instances server-side: mean %s, p99 %s (histogram)\n",
              Ms(f.post_route.Mean()).c_str(), Ms(f.post_route.Quantile(0.99)).c_str());
  std::printf("- store group commits: %.0f commits, %.1f transactions/commit, commit mean %s, "
              "p99 %s\n",
              f.commit.count, f.commit.count > 0 ? f.transactions / f.commit.count : 0.0,
              Ms(f.commit.Mean()).c_str(), Ms(f.commit.Quantile(0.99)).c_str());
  std::printf("- placement: %.0f decisions, %.3f s in total\n", f.decision.count, f.decision.sum);
  std::printf("- list: %lld instances seen over the pages; GET /metrics with all N stored: %s\n",
              static_cast<long long>(f.list_instances_seen), Ms(f.metrics_scrape_s).c_str());
  if (!f.launch.first_error.empty()) {
    std::printf("- first launch error: %s\n", f.launch.first_error.c_str());
  }
  if (!f.list_error.empty()) std::printf("- list error: %s\n", f.list_error.c_str());
}

// ---- main ----

Status Run(const BenchOptions& o) {
  std::unique_ptr<StratodProcess> daemon;
  std::string endpoint = o.endpoint;
  Credentials creds;
  pid_t pid = o.pid;
  if (endpoint.empty()) {
    STRATO_ASSIGN_OR_RETURN(daemon, StratodProcess::Start(o.stratod, o.temp_base, o.stratod_args));
    endpoint = daemon->endpoint();
    creds = daemon->credentials();
    pid = daemon->pid();
    std::fprintf(stderr, "[setup] stratod pid %d at %s, data dir %s\n", pid, endpoint.c_str(),
                 daemon->data_dir().c_str());
  } else {
    STRATO_ASSIGN_OR_RETURN(creds, ReadCredentialsFile(o.credentials));
  }
  STRATO_ASSIGN_OR_RETURN(auto admin, BenchHttpClient::Create(endpoint, creds));

  Figures f;
  auto t0 = Clock::now();
  STRATO_RETURN_IF_ERROR(AddSimHosts(*admin, o));
  f.hosts_seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  STRATO_ASSIGN_OR_RETURN(std::string image_id, FindGuestImage(*admin));
  std::fprintf(stderr, "[setup] %d sim hosts in %.2fs; image %s\n", o.hosts, f.hosts_seconds,
               image_id.c_str());

  if (o.instances > 0) RunLaunchPhase(o, endpoint, creds, image_id, *admin, f);
  (void)Scrape(*admin, &f.metrics_scrape_s);
  std::fprintf(stderr, "[list] %d page requests\n", o.list_requests);
  MeasureListing(*admin, o, f);
  if (pid > 0) {
    auto m = ReadProcessMemory(pid);
    if (m.ok()) f.memory = *m;
  }
  PrintReport(o, f);
  if (daemon) {
    auto took = daemon->Stop(o.keep_data_dir);
    std::fprintf(stderr, "[teardown] stratod stopped %.2fs after SIGTERM%s\n", took.count(),
                 o.keep_data_dir ? "; data dir kept" : "");
  }
  return OkStatus();
}

}  // namespace
}  // namespace strato::bench

int main(int argc, char** argv) {
  strato::bench::BenchOptions o;
  o.stratod = strato::bench::DefaultStratodPath();
  CLI::App app{"strato_bench_launch: launch-throughput scale benchmark of stratod."};
  app.add_option("--stratod", o.stratod, "stratod binary to start")->capture_default_str();
  app.add_option("--stratod-arg", o.stratod_args, "Extra stratod argument (repeatable)")
      ->allow_extra_args(false);
  app.add_option("--temp-dir", o.temp_base, "Where the fresh data dir is created")
      ->capture_default_str();
  app.add_flag("--keep-data-dir", o.keep_data_dir, "Keep the data dir (and stratod.log)");
  app.add_option("--endpoint", o.endpoint, "Attach to this stratod (http://127.0.0.1:PORT)");
  app.add_option("--credentials", o.credentials, "Credentials file when attaching");
  app.add_option("--pid", o.pid, "stratod's pid when attaching (for VmRSS/VmHWM)");
  app.add_option("--instances,-n", o.instances, "Instances to launch (N; 0: only list)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--hosts", o.hosts, "Sim hosts to register (0: none)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  app.add_option("--host-vcpus", o.host_vcpus, "vCPUs per sim host")->capture_default_str();
  app.add_option("--host-memory-mib", o.host_memory_mib, "Memory per sim host")
      ->capture_default_str();
  app.add_option("--clients,-c", o.clients, "Concurrent clients (C)")
      ->check(CLI::Range(1, 1024))
      ->capture_default_str();
  app.add_option("--per-request,-k", o.per_request, "Instances per POST (K)")
      ->check(CLI::Range(1, 1000))
      ->capture_default_str();
  app.add_option("--instance-type", o.instance_type, "Instance type")->capture_default_str();
  app.add_option("--list-requests", o.list_requests, "Page requests in the listing phase")
      ->capture_default_str();
  app.add_option("--running-timeout", o.running_timeout_s, "Seconds to wait for all running after the last launch answer")
      ->capture_default_str();
  app.add_option("--poll-interval-ms", o.poll_interval_ms, "GET /metrics interval while waiting")
      ->capture_default_str();
  app.add_flag("--quick", o.quick, "Smoke size: --instances 2000 --hosts 50 (seconds)");
  CLI11_PARSE(app, argc, argv);
  if (o.quick) {
    if (app.count("--instances") == 0) o.instances = 2000;
    if (app.count("--hosts") == 0) o.hosts = 50;
  }
  if (!o.endpoint.empty() && o.credentials.empty()) {
    std::fprintf(stderr, "--endpoint needs --credentials\n");
    return 2;
  }
  strato::Status s = strato::bench::Run(o);
  if (!s.ok()) {
    std::fprintf(stderr, "strato_bench_launch: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}
