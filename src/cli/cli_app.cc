#include "cli/cli_app.h"

#include <unistd.h>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/curl_transport.h"
#include "cli/exit_codes.h"

namespace strato::cli {
namespace {

struct GlobalOptions {
  std::string output = "table";
  std::string endpoint;
  std::string region;
  std::string profile;
  std::string credentials_file;
  int timeout_seconds = 300;
  // Set to the flags' Option objects, to tell "not given" from "given empty".
  CLI::Option* endpoint_flag = nullptr;
  CLI::Option* region_flag = nullptr;
  CLI::Option* profile_flag = nullptr;
  CLI::Option* credentials_file_flag = nullptr;
};

std::optional<std::string> IfGiven(const CLI::Option* flag, const std::string& value) {
  if (flag == nullptr || flag->count() == 0) return std::nullopt;
  return value;
}

void AddGlobalOptions(CLI::App& app, GlobalOptions& g) {
  app.add_option("-o,--output", g.output, "Output format")
      ->capture_default_str()
      ->check(CLI::IsMember({"table", "json"}));
  g.endpoint_flag = app.add_option(
      "--endpoint", g.endpoint,
      "API endpoint URL (env STRATO_ENDPOINT; default " + std::string(kDefaultEndpoint) + ")");
  g.region_flag = app.add_option("--region", g.region,
                                 "Region for request signing (env "
                                 "STRATO_REGION; default strato-1)");
  g.profile_flag = app.add_option("--profile", g.profile,
                                  "Credentials profile (env STRATO_PROFILE; default default)");
  g.credentials_file_flag =
      app.add_option("--credentials-file", g.credentials_file,
                     "INI credentials file (env STRATO_CREDENTIALS_FILE; default "
                     "~/.strato/credentials)");
  app.add_option("--timeout", g.timeout_seconds, "Seconds --wait may take")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
}

Status Execute(const GlobalOptions& g, const Action& action, const CliEnvironment& env,
               std::ostream& out, std::ostream& err) {
  ConfigFlags flags;
  flags.endpoint = IfGiven(g.endpoint_flag, g.endpoint);
  flags.region = IfGiven(g.region_flag, g.region);
  flags.profile = IfGiven(g.profile_flag, g.profile);
  flags.credentials_file = IfGiven(g.credentials_file_flag, g.credentials_file);
  Result<ClientConfig> config = ResolveClientConfig(flags, env.sources);
  if (!config.ok()) return AsUsageError(config.status());

  STRATO_ASSIGN_OR_RETURN(std::unique_ptr<Transport> transport, env.make_transport(*config));
  ApiClient api(*transport);
  Printer printer(g.output == "json" ? OutputFormat::kJson : OutputFormat::kTable, out);
  SystemClock system_clock;
  WaitSettings wait;
  wait.timeout = std::chrono::seconds(g.timeout_seconds);
  wait.poll_interval = env.poll_interval;
  wait.show_progress = env.stderr_is_tty;
  InstanceWaiter waiter(api, env.clock ? *env.clock : system_clock, wait, err);
  CommandContext ctx{api, printer, waiter, err, env.sources.read_file};
  return action(ctx);
}

}  // namespace

CliEnvironment SystemCliEnvironment() {
  CliEnvironment env;
  env.sources = SystemConfigSources();
  env.make_transport = [](const ClientConfig& config) -> Result<std::unique_ptr<Transport>> {
    STRATO_ASSIGN_OR_RETURN(std::unique_ptr<CurlTransport> transport,
                            CurlTransport::Create(config));
    return std::unique_ptr<Transport>(std::move(transport));
  };
  env.stderr_is_tty = ::isatty(STDERR_FILENO) == 1;
  return env;
}

int RunCli(const std::vector<std::string>& args, const CliEnvironment& env, std::ostream& out,
           std::ostream& err) {
  CLI::App app("strato: command-line client for the Strato cloud's native API", "strato");
  app.footer(kExitCodesHelp);
  app.fallthrough();  // global flags work after the verb too; inherited by every subcommand
  app.require_subcommand(1);
  GlobalOptions global;
  AddGlobalOptions(app, global);
  Action action;
  AddInstanceCommands(app, action);
  AddHostCommands(app, action);
  AddIdentityCommands(app, action);
  AddCatalogCommands(app, action);
  AddNetworkCommands(app, action);
  AddSecurityGroupCommands(app, action);
  AddVolumeCommands(app, action);

  std::vector<const char*> argv;
  for (const std::string& arg : args) argv.push_back(arg.c_str());
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
  } catch (const CLI::ParseError& e) {
    return app.exit(e, out, err) == 0 ? kExitOk : kExitUsage;
  }
  if (!action) {
    err << "error: no command given; see strato --help\n";
    return kExitUsage;
  }
  const Status status = Execute(global, action, env, out, err);
  out.flush();
  if (!status.ok()) err << FormatError(status) << "\n";
  return ExitCodeFor(status);
}

}  // namespace strato::cli
