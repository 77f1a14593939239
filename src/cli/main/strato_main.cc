// strato: the command-line client. All logic lives in cli_app.cc so tests can drive it.
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli_app.h"

int main(int argc, char** argv) {
  const std::vector<std::string> args(argv, argv + argc);
  return strato::cli::RunCli(args, strato::cli::SystemCliEnvironment(), std::cout, std::cerr);
}
