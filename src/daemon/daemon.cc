#include "daemon/daemon.h"

#include <spdlog/spdlog.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "agent/agent_messages.h"
#include "agent/agent_transport.h"
#include "agent/http_agent_transport.h"
#include "api/ec2/ec2_api.h"
#include "agent/storage_agent.h"
#include "api/native_api.h"
#include "api/request_auth.h"
#include "api/s3/s3_api.h"
#include "commands/host_commands.h"
#include "commands/image_commands.h"
#include "commands/identity_commands.h"
#include "commands/instance_commands.h"
#include "commands/object_commands.h"
#include "commands/resource_commands.h"
#include "commands/volume_commands.h"
#include "common/ids.h"
#include "common/ipv4_cidr.h"
#include "common/metrics.h"
#include "common/secret_box.h"
#include "controller/instance_controller.h"
#include "controller/volume_controller.h"
#include "daemon/credentials_file.h"
#include "daemon/local_host.h"
#include "drivers/network/linux_network_driver.h"
#include "drivers/hypervisor/qemu/accel_probe.h"
#include "drivers/hypervisor/qemu/qemu_command_line.h"
#include "drivers/hypervisor/qemu/qemu_driver.h"
#include "drivers/hypervisor/sim/sim_driver.h"
#include "drivers/storage/qcow2_storage_driver.h"
#include "http/http_server.h"
#include "metadata/metadata_service.h"
#include "store/sqlite/sqlite_store.h"

namespace strato {

namespace fs = std::filesystem;

struct Daemon::Parts {
  DaemonOptions options;
  MetricsRegistry metrics;
  std::unique_ptr<SecretBox> box;
  std::unique_ptr<sqlite::SqliteStore> store;
  CommandEnv env;
  std::unique_ptr<InstanceCommands> instances;
  std::unique_ptr<HostCommands> hosts;
  std::unique_ptr<IdentityCommands> identity;
  std::unique_ptr<ResourceCommands> resources;
  std::unique_ptr<ObjectFiles> object_files;
  std::unique_ptr<ObjectCommands> objects;
  std::unique_ptr<NetworkCommands> networks;
  LinuxCommandRunner net_runner;  // the local host's network driver runs ip/dnsmasq with it
  std::unique_ptr<VolumeCommands> volumes;
  std::unique_ptr<ImageCommands> images;
  // Sim agents share one executor: their driver calls are cheap and never block.
  std::unique_ptr<SerialExecutor> sim_executor;
  // The local qemu host's agent has its own executor: its driver calls block.
  std::unique_ptr<SerialExecutor> qemu_executor;
  std::unique_ptr<LocalAgentTransport> agents;  // the agents this process hosts
  std::unique_ptr<HttpAgentTransport> agent_http;  // the controller's HTTP client to agents
  std::unique_ptr<RoutingAgentTransport> agent_routes;
  std::unique_ptr<AgentHttpService> agent_service;
  std::unique_ptr<HttpPoster> report_poster;  // the local qemu agent's reports
  std::string agent_token;
  std::mutex hosts_mu;
  std::string local_qemu_host_id;  // GUARDED_BY(hosts_mu): reached over HTTP
  std::unique_ptr<InstanceController> controller;
  // Block storage: qcow2 blobs under <data-dir>/storage, driven by the volume controller.
  std::unique_ptr<SerialExecutor> storage_executor;
  std::unique_ptr<StorageAgent> storage_agent;
  std::unique_ptr<VolumeController> volume_controller;
  std::unique_ptr<api::NativeApi> api;
  std::unique_ptr<api::ec2::Ec2Api> ec2;
  std::unique_ptr<api::s3::S3Api> s3;
  std::unique_ptr<http::HttpServer> server;
  std::string endpoint;
  int lock_fd = -1;  // flock'd for the daemon's lifetime; released by the OS on exit
};

namespace {

Result<std::pair<std::string, uint16_t>> SplitListen(const std::string& listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string::npos) return InvalidParameter("--listen must be ADDRESS:PORT.");
  int port = 0;
  try {
    port = std::stoi(listen.substr(colon + 1));
  } catch (...) {
    port = -1;
  }
  if (port < 0 || port > 65535) return InvalidParameter("--listen has a bad port.");
  return std::make_pair(listen.substr(0, colon), static_cast<uint16_t>(port));
}

// Keeps the credentials file pointing at the endpoint this run listens on.
void UpdateCredentialsEndpoint(const std::string& path, const std::string& endpoint) {
  std::ifstream in(path);
  if (!in) return;
  std::stringstream out;
  std::string line, key, secret, region;
  while (std::getline(in, line)) {
    auto eq = line.find('=');
    if (eq == std::string::npos) continue;
    std::string k = line.substr(0, line.find_last_not_of(' ', eq - 1) + 1);
    std::string v = line.substr(line.find_first_not_of(' ', eq + 1));
    if (k == "aws_access_key_id") key = v;
    if (k == "aws_secret_access_key") secret = v;
    if (k == "region") region = v;
  }
  if (!key.empty() && !secret.empty()) {
    (void)WriteCredentialsFile(path, key, secret, region, endpoint);
  }
}

Status Bootstrap(Daemon::Parts& p) {
  STRATO_ASSIGN_OR_RETURN(auto boot, p.identity->Bootstrap());
  const std::string cred_path = p.options.data_dir + "/credentials";
  if (boot.created) {
    STRATO_RETURN_IF_ERROR(WriteCredentialsFile(cred_path, boot.key.key.id, boot.key.secret,
                                                p.options.region, p.endpoint));
    spdlog::info("created the admin tenant {} and its credentials in {}", boot.tenant.id,
                 cred_path);
  } else {
    UpdateCredentialsEndpoint(cred_path, p.endpoint);
  }
  // First start: the local machine as the single host, and a default public image.
  return p.store->Write([&](WriteTxn& t) -> Status {
    STRATO_ASSIGN_OR_RETURN(auto done, t.GetMeta("bootstrap.local_host"));
    if (done) return OkStatus();
    STRATO_ASSIGN_OR_RETURN(auto admin, t.GetTenantByName("admin"));
    if (p.options.local_host != "none") {
      LocalResources r = DetectLocalResources(p.options.memory_reserve_mib);
      Host h{.id = NewResourceId("h"), .name = "local", .zone = p.options.zones.front(),
             .driver = p.options.local_host, .vcpus = r.vcpus, .memory_mib = r.memory_mib,
             .cpu_ratio = p.options.cpu_ratio, .enabled = true, .created_at = p.env.now_ms()};
      STRATO_RETURN_IF_ERROR(t.InsertHost(h));
    }
    Image image{NewResourceId("ami"), admin.id, "strato-guest",
                "The default Strato guest (Debian kernel + busybox)", true, "available",
                p.env.now_ms()};
    STRATO_RETURN_IF_ERROR(t.InsertImage(image));
    STRATO_RETURN_IF_ERROR(t.SetMeta("default_image_id", image.id));
    return t.SetMeta("bootstrap.local_host", "done");
  });
}

std::unique_ptr<HypervisorDriver> MakeLocalQemuDriver(const DaemonOptions& o, NetworkDriver* net) {
  QemuDriverOptions q;
  q.open_tap = [net](const VmNic& n) -> Result<int> {
    STRATO_ASSIGN_OR_RETURN(auto fd, net->OpenTap(n.vpc_id, n.port_id));
    return fd.Release();
  };
  q.binary = o.qemu_binary;
  q.vm_root = o.data_dir + "/vms";
  // The uncompressed kernel saves the guest seconds of emulated decompression under TCG.
  q.kernel = o.guest_dir + (fs::exists(o.guest_dir + "/vmlinux") ? "/vmlinux" : "/vmlinuz");
  q.initrd = o.guest_dir + "/initrd.img";
  q.stop_timeout = std::chrono::milliseconds(o.stop_timeout_ms);
  q.console_shell = o.guest_console_shell;
  q.storage_root = o.data_dir + "/storage";
  AccelChoice accel =
      ChooseAccel(o.accel, o.qemu_binary, q.kernel, q.initrd, o.data_dir + "/accel-probe");
  q.accel = accel.accel;
  if (q.accel == "tcg") q.microvm_append = MicrovmTimingArgs();
  spdlog::info("qemu: local host uses {} ({})", accel.accel, accel.why);
  return std::make_unique<QemuDriver>(std::move(q));
}

// Agent reports: volume outcomes to the volume controller, VM states to the instances'.
void RouteReport(Daemon::Parts& p, const std::string& report) {
  if (IsVolumeReport(report)) {
    p.volume_controller->OnReport(report);
  } else {
    p.controller->OnReport(report);
  }
}

void RegisterStoreMetrics(Daemon::Parts& p) {
  Histogram& commit = p.metrics.GetHistogram(
      "strato_store_commit_seconds", "Duration of one group commit (fsync included).", {});
  Counter& txns = p.metrics.GetCounter("strato_store_transactions_total",
                                       "Commands committed to the store.");
  p.store->SetCommitObserver([&commit, &txns](double s, size_t n) {
    commit.Observe(s);
    txns.Inc(static_cast<double>(n));
  });
  p.metrics.SetGaugeCallback("strato_instances", "Instances by state.", [&p] {
    std::vector<std::pair<Labels, double>> out;
    (void)p.store->Read([&](ReadTxn& t) {
      STRATO_ASSIGN_OR_RETURN(auto counts, t.CountInstancesByState());
      for (const auto& [state, n] : counts) {
        out.push_back({Labels{{"state", state}}, static_cast<double>(n)});
      }
      return OkStatus();
    });
    return out;
  });
}

}  // namespace

Daemon::Daemon(std::unique_ptr<Parts> parts) : parts_(std::move(parts)) {}
Daemon::~Daemon() { Stop(); }
std::string Daemon::endpoint() const { return parts_->endpoint; }

Result<std::unique_ptr<Daemon>> Daemon::Create(const DaemonOptions& options) {
  auto p = std::make_unique<Parts>();
  p->options = options;
  std::error_code ec;
  fs::create_directories(options.data_dir, ec);
  if (ec) return InvalidParameter("cannot create --data-dir " + options.data_dir + ": " + ec.message());
  ::chmod(options.data_dir.c_str(), 0700);
  // Elastic IPs start at .10 of the public CIDR: it needs room above that.
  auto public_cidr = Ipv4Cidr::Parse(options.public_cidr);
  if (!public_cidr.ok() || public_cidr->prefix_len() < 16 || public_cidr->prefix_len() > 27)
    return InvalidParameter("--public-cidr must be an IPv4 CIDR block from /16 to /27.");
  // One stratod per data directory: a second one would fight over the store.
  p->lock_fd = ::open((options.data_dir + "/stratod.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC,
                      0600);
  if (p->lock_fd < 0 || ::flock(p->lock_fd, LOCK_EX | LOCK_NB) != 0) {
    return Conflict("DataDirInUse", "another stratod is already using --data-dir " +
                                        options.data_dir);
  }
  STRATO_ASSIGN_OR_RETURN(auto box, SecretBox::LoadOrCreate(options.data_dir + "/master.key"));
  p->box = std::make_unique<SecretBox>(std::move(box));
  STRATO_ASSIGN_OR_RETURN(p->store,
                          sqlite::SqliteStore::Open({.path = options.data_dir + "/strato.db"}));
  p->env.store = p->store.get();
  p->env.region = options.region;
  p->env.zones = options.zones;
  p->env.default_cpu_ratio = options.cpu_ratio;
  p->env.public_cidr = options.public_cidr;
  p->instances = std::make_unique<InstanceCommands>(p->env);
  p->hosts = std::make_unique<HostCommands>(p->env);
  p->identity = std::make_unique<IdentityCommands>(p->env, *p->box);
  p->resources = std::make_unique<ResourceCommands>(p->env);
  p->object_files = std::make_unique<ObjectFiles>(options.data_dir + "/objects");
  p->objects = std::make_unique<ObjectCommands>(p->env, *p->object_files);
  // Whatever a crash left half-done: unfinished uploads, files never committed.
  STRATO_ASSIGN_OR_RETURN(size_t strays, p->objects->Reconcile());
  if (strays > 0) spdlog::info("objects: removed {} unreferenced files", strays);
  p->networks = std::make_unique<NetworkCommands>(p->env);
  p->volumes = std::make_unique<VolumeCommands>(p->env);
  // Uploaded images wait here, received and identified, for the storage agent to convert.
  p->images = std::make_unique<ImageCommands>(p->env, options.data_dir + "/uploads");
  p->sim_executor = std::make_unique<SerialExecutor>();
  p->qemu_executor = std::make_unique<SerialExecutor>();
  if (options.local_host == "qemu") {
    const std::string& g = options.guest_dir;
    if (!fs::exists(g + "/initrd.img") ||
        (!fs::exists(g + "/vmlinux") && !fs::exists(g + "/vmlinuz"))) {
      return InvalidParameter("the guest (vmlinux or vmlinuz, and initrd.img) is missing from " +
                              g + ": build it with guest/build.sh " + g + " or pass --guest-dir");
    }
  }
  p->agents = std::make_unique<LocalAgentTransport>();

  Parts* raw = p.get();
  STRATO_ASSIGN_OR_RETURN(auto listen, SplitListen(options.listen));
  http::ServerOptions sopts;
  sopts.address = listen.first;
  sopts.port = listen.second;
  sopts.io_threads = options.http_threads;
  sopts.worker_threads = options.worker_threads;
  sopts.max_body_bytes = options.max_body_bytes;
  // Uploads (images, objects) stream past max_body_bytes; everything else is buffered.
  sopts.stream_body = [raw](const http::Request& r) {
    return raw->s3->StreamsBody(r) || raw->api->StreamsBody(r);
  };
  STRATO_ASSIGN_OR_RETURN(
      p->server,
      http::HttpServer::Create(sopts,
                               [raw](http::Request& r) {
                                 if (r.path.rfind("/agent/", 0) == 0) {
                                   return raw->agent_service->Handle(r);
                                 }
                                 // Front ends share the port: S3 claims what is signed for
                                 // "s3" or names a bucket by Host; EC2 Query lives on "/".
                                 if (raw->s3->Claims(r)) return raw->s3->Handle(r);
                                 if (r.path == "/") return raw->ec2->Handle(r);
                                 return raw->api->Handle(r);
                               },
                               p->metrics));
  p->endpoint = "http://" + listen.first + ":" + std::to_string(p->server->port());
  STRATO_ASSIGN_OR_RETURN(p->agent_token, LoadOrCreateAgentToken(options.data_dir + "/agent.token"));
  p->agent_http = std::make_unique<HttpAgentTransport>(p->endpoint, p->agent_token);
  p->report_poster = std::make_unique<HttpPoster>(p->endpoint, p->agent_token);
  p->agent_routes = std::make_unique<RoutingAgentTransport>(
      *p->agents, *p->agent_http, [raw](const std::string& host_id) {
        std::lock_guard lock(raw->hosts_mu);
        return host_id == raw->local_qemu_host_id;
      });
  p->agent_service = std::make_unique<AgentHttpService>(
      *p->agents, p->agent_token, [raw](const std::string& r) { RouteReport(*raw, r); });
  InstanceControllerOptions copts;
  copts.default_policy = *ParsePlacementPolicy(options.placement_policy);
  copts.terminated_retention = std::chrono::seconds(options.terminated_retention_s);
  copts.resync_interval = std::chrono::milliseconds(options.resync_interval_ms);
  copts.region = options.region;
  copts.serves_metadata = [raw](const std::string& host_id) {
    std::lock_guard lock(raw->hosts_mu);
    return host_id == raw->local_qemu_host_id;
  };
  copts.ensure_agent = [raw](const Host& h) {
    if (raw->agents->HasAgent(h.id)) return;
    auto report = [raw](const std::string& r) { RouteReport(*raw, r); };
    if (h.driver == "sim") {
      SimDriverOptions sim{std::chrono::milliseconds(raw->options.sim_start_latency_ms),
                           std::chrono::milliseconds(raw->options.sim_stop_latency_ms)};
      raw->agents->AddAgent(std::make_unique<HostAgent>(h.id, std::make_unique<SimDriver>(sim),
                                                        *raw->sim_executor, report));
      return;
    }
    if (h.driver == "qemu" && h.name == "local") {
      // The local host's agent is reached over HTTP and reports over HTTP, exactly as a
      // remote `stratod agent` would: only the address would differ.
      auto http_report = [raw](const std::string& r) {
        Status s = raw->report_poster->Post("/agent/v1/reports", r).status();
        if (!s.ok()) spdlog::warn("agent: report not delivered: {}", s.message());
      };
      // The host's data plane: namespaces strato-<host id>-<vpc id> (docs/network.md). Its
      // files live under /run, not the (private, 0700) data dir: dnsmasq drops root and
      // must still read its hosts file.
      auto net = LinuxNetworkDriver::Create(
          {.host_id = h.id,
           .state_dir = "/run/strato/net/" + h.id,
           .public_cidr = raw->options.public_cidr},
          raw->net_runner);
      if (!net.ok()) {
        spdlog::error("host {}: no network driver: {}", h.id, net.status().ToString());
        return;
      }
      NetworkDriver* net_raw = net->get();
      // 169.254.169.254 in each of the host's VPC namespaces (docs/metadata.md).
      auto metadata = std::make_unique<MetadataService>(h.id, raw->net_runner);
      raw->agents->AddAgent(std::make_unique<HostAgent>(
          h.id, MakeLocalQemuDriver(raw->options, net_raw), *raw->qemu_executor, http_report,
          std::move(net).value(), std::move(metadata)));
      std::lock_guard lock(raw->hosts_mu);
      raw->local_qemu_host_id = h.id;
      return;
    }
    spdlog::warn("host {} uses driver '{}' and has no agent attached", h.id, h.driver);
  };
  p->controller =
      std::make_unique<InstanceController>(*p->store, *p->agent_routes, p->metrics, copts);
  p->env.kick = [raw](std::vector<std::string> ids) { raw->controller->Kick(std::move(ids)); };
  p->storage_executor = std::make_unique<SerialExecutor>();
  p->storage_agent = std::make_unique<StorageAgent>(
      std::make_unique<Qcow2StorageDriver>(Qcow2StorageOptions{.root = options.data_dir + "/storage"}),
      *p->storage_executor, [raw](const std::string& r) { raw->volume_controller->OnReport(r); });
  VolumeControllerOptions vopts;
  vopts.resync_interval = std::chrono::milliseconds(options.resync_interval_ms);
  vopts.spool_dir = options.data_dir + "/uploads";
  vopts.kick_instances = p->env.kick;
  p->volume_controller = std::make_unique<VolumeController>(
      *p->store, [raw](std::string m) { raw->storage_agent->Deliver(std::move(m)); },
      *p->agent_routes, vopts);
  p->env.kick_volumes = [raw] { raw->volume_controller->Kick(); };

  auto console = [raw](const Instance& i) -> Result<std::string> {
    STRATO_ASSIGN_OR_RETURN(auto reply,
                            raw->agent_routes->Call(i.host_id.value_or(i.last_host_id),
                                                    EncodeConsoleCall(i.id, 64 * 1024)));
    auto j = nlohmann::json::parse(reply, nullptr, false);
    if (j.is_discarded()) return Internal("bad console reply");
    return j.value("output", "");
  };
  api::NativeApiDeps deps{&p->env, p->instances.get(), p->hosts.get(), p->identity.get(),
                          p->resources.get(), &p->metrics, console};
  deps.networks = p->networks.get();
  deps.volumes = p->volumes.get();
  deps.images = p->images.get();
  p->api = std::make_unique<api::NativeApi>(std::move(deps));
  p->s3 = std::make_unique<api::s3::S3Api>(
      api::s3::S3ApiDeps{p->identity.get(), p->objects.get(), options.region, options.s3_domain});
  api::ec2::Ec2Deps ec2_deps{&p->env, p->instances.get(), p->identity.get(),
                             p->resources.get(), console};
  ec2_deps.volumes = p->volumes.get();
  ec2_deps.networks = p->networks.get();
  ec2_deps.images = p->images.get();
  ec2_deps.objects = p->objects.get();
  p->ec2 = std::make_unique<api::ec2::Ec2Api>(std::move(ec2_deps));

  RegisterStoreMetrics(*p);
  STRATO_RETURN_IF_ERROR(Bootstrap(*p));
  return std::unique_ptr<Daemon>(new Daemon(std::move(p)));
}

Status Daemon::Start() {
  parts_->controller->Start();
  parts_->volume_controller->Start();
  parts_->server->Start();
  std::ofstream(parts_->options.data_dir + "/endpoint") << parts_->endpoint << "\n";
  return OkStatus();
}

void Daemon::Stop() {
  if (!parts_ || !parts_->agents) return;
  parts_->server->Stop();  // finishes in-flight requests first
  parts_->controller->Stop();
  parts_->volume_controller->Stop();
  parts_->storage_executor.reset();  // drains storage ops in flight
  // Drain agent work before the agents go, and the agents (their drivers' threads) before
  // the controller they report to. VMs keep running: they belong to the host.
  parts_->sim_executor.reset();
  parts_->qemu_executor.reset();
  parts_->agents.reset();
  parts_->metrics.RemoveGaugeCallback("strato_instances");
  parts_->store->Close();
}

}  // namespace strato
