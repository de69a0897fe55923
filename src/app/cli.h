#pragma once

namespace pxed::app {

// Parses the command line and runs the chosen subcommand; returns the process exit status.
int run_cli(int argc, char** argv);

}  // namespace pxed::app
