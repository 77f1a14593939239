// Security-group rule change fan-out: how long one rule change takes to reach the nftables
// rules of N instances (default 100), stage by stage, on the real code paths:
//   command  — AuthorizeSecurityGroupIngress / Revoke… through SecurityGroupCommands into a
//              real SQLite store (durable commit included);
//   resolve  — the controller's FirewallResolver turning groups, members and addresses into
//              the N NICs' rules (one read transaction);
//   render   — the VPC namespace's nft script for N guests (network driver);
//   apply    — that script applied atomically by libnftables inside a scratch namespace.
// The rule names the group itself as its peer, so every member's rules change.
// Needs root (a namespace); prints one line per stage and the total.
//   sg_bench [--instances N] [--changes K]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "bench/latency_stats.h"
#include "commands/security_group_commands.h"
#include "common/ids.h"
#include "common/ipv4_cidr.h"
#include "controller/instance_firewall.h"
#include "drivers/network/command_runner.h"
#include "drivers/network/netns.h"
#include "drivers/network/network_plan.h"
#include "store/sqlite/sqlite_store.h"

namespace strato {
namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

struct World {
  std::string vpc = NewResourceId("vpc"), subnet = NewResourceId("subnet");
  std::string group;
  std::vector<Instance> instances;
};

// One VPC, one /16 subnet, N instances with NICs, all in one group.
Status Populate(Store& store, const Principal& p, size_t n, World& w) {
  return store.Write([&](WriteTxn& t) -> Status {
    STRATO_RETURN_IF_ERROR(t.InsertVpc({w.vpc, p.tenant_id, "10.50.0.0/16", false, 1}));
    STRATO_RETURN_IF_ERROR(
        t.InsertSubnet({w.subnet, p.tenant_id, w.vpc, "10.50.0.0/16", false, 1}));
    SecurityGroup sg{NewResourceId("sg"), p.tenant_id, w.vpc, "web", "", false, 1, {}};
    sg.rules.push_back({NewResourceId("sgr"), sg.id, true, "all", -1, -1, "0.0.0.0/0", "", ""});
    STRATO_RETURN_IF_ERROR(t.InsertSecurityGroup(sg));
    w.group = sg.id;
    auto cidr = *Ipv4Cidr::Parse("10.50.0.0/16");
    for (size_t k = 0; k < n; ++k) {
      Instance i;
      i.id = NewResourceId("i");
      i.tenant_id = p.tenant_id;
      i.image_id = "ami-00000000000000001";
      i.instance_type = "t3.micro";
      i.host_id = "h-bench";
      STRATO_RETURN_IF_ERROR(t.InsertInstance(i));
      uint32_t ip = cidr.Host(10 + k);
      char mac[18];
      std::snprintf(mac, sizeof mac, "02:00:00:00:%02x:%02x", unsigned(k >> 8) & 255,
                    unsigned(k) & 255);
      NetworkInterface nic{NewResourceId("eni"), p.tenant_id, i.id, w.vpc, w.subnet,
                           FormatIpv4(ip),       ip,          mac,  1,     "10.50.0.0/16"};
      STRATO_RETURN_IF_ERROR(t.InsertNetworkInterface(nic));
      STRATO_RETURN_IF_ERROR(t.SetInstanceSecurityGroups(i.id, {w.group}));
      i.interfaces = {nic};
      w.instances.push_back(std::move(i));
    }
    return OkStatus();
  });
}

int Run(size_t n, int changes) {
  auto dir =
      std::filesystem::temp_directory_path() / ("strato-sg-bench-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto store = std::move(sqlite::SqliteStore::Open({.path = (dir / "strato.db").string()})).value();
  CommandEnv env;
  env.store = store.get();
  Principal p{"t-bench", "u-bench", "", Role::kMember};
  (void)store->Write([&](WriteTxn& t) { return t.InsertTenant({"t-bench", "bench", 1}); });
  World w;
  Status s = Populate(*store, p, n, w);
  if (!s.ok()) {
    std::fprintf(stderr, "populate: %s\n", s.ToString().c_str());
    return 1;
  }
  LinuxCommandRunner runner;
  const std::string ns = "strato-bench-" + std::to_string(getpid());
  if (!RunChecked(runner, {"ip", "netns", "add", ns}).ok()) {
    std::fprintf(stderr, "cannot create namespace %s (root needed)\n", ns.c_str());
    return 1;
  }
  SecurityGroupCommands sg(env);
  auto plan = *PlanSubnet(SubnetSpec{w.subnet, "10.50.0.0/16", {}});
  std::vector<double> t_cmd, t_resolve, t_render, t_apply, t_total;
  size_t rules_per_guest = 0, script_bytes = 0;
  for (int c = 0; c < changes; ++c) {
    const auto start = Clock::now();
    RuleInput r{"tcp", 8000 + c, 8000 + c, std::nullopt, w.group, ""};
    auto changed = sg.Authorize(p, w.group, false, {r});
    if (!changed.ok()) {
      std::fprintf(stderr, "authorize: %s\n", changed.status().ToString().c_str());
      break;
    }
    t_cmd.push_back(Since(start));

    auto t0 = Clock::now();
    VpcSpec vpc{w.vpc, {SubnetSpec{w.subnet, "10.50.0.0/16", {}}}, {}};
    s = store->Read([&](ReadTxn& t) -> Status {
      FirewallResolver resolver(t);
      for (const Instance& i : w.instances) {
        VmSpec spec{i.id, 1, 512, "q35", i.image_id};
        const auto& n0 = i.interfaces[0];
        spec.nics.push_back(
            VmNic{n0.id, n0.vpc_id, n0.subnet_id, n0.subnet_cidr, n0.mac, n0.private_ip});
        STRATO_RETURN_IF_ERROR(resolver.Fill(spec));
        const VmNic& nic = spec.nics[0];
        vpc.ports.push_back(PortSpec{i.id, w.subnet, nic.mac, nic.ip, nic.public_ip, nic.firewall});
      }
      return OkStatus();
    });
    t_resolve.push_back(Since(t0));
    rules_per_guest = vpc.ports.front().firewall.ingress.size();

    t0 = Clock::now();
    std::string script = RenderVpcRuleset({plan}, vpc);
    t_render.push_back(Since(t0));
    script_bytes = script.size();

    t0 = Clock::now();
    Status applied = ApplyNftInNetns(ns, script);
    t_apply.push_back(Since(t0));
    t_total.push_back(Since(start));
    if (!s.ok() || !applied.ok()) {
      std::fprintf(stderr, "resolve/apply: %s %s\n", s.ToString().c_str(),
                   applied.ToString().c_str());
      break;
    }
  }
  (void)RunChecked(runner, {"ip", "netns", "del", ns});
  store.reset();
  std::filesystem::remove_all(dir);
  std::printf(
      "security-group rule change → nft rules of %zu instances (%zu ingress rules each, "
      "script %zu KiB), %zu changes\n",
      n, rules_per_guest, script_bytes / 1024, t_total.size());
  auto line = [](const char* name, std::vector<double>& v) {
    auto x = bench::Summarize(v);
    std::printf("  %-8s p50 %8.2f ms   p90 %8.2f ms   max %8.2f ms\n", name, x.p50 * 1e3,
                x.p90 * 1e3, x.max * 1e3);
  };
  line("command", t_cmd);
  line("resolve", t_resolve);
  line("render", t_render);
  line("apply", t_apply);
  line("total", t_total);
  return t_total.size() == static_cast<size_t>(changes) ? 0 : 1;
}

}  // namespace
}  // namespace strato

int main(int argc, char** argv) {
  size_t n = 100;
  int changes = 20;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--instances") n = std::stoul(argv[i + 1]);
    if (a == "--changes") changes = std::stoi(argv[i + 1]);
  }
  return strato::Run(n, changes);
}
