// The TOML config file loader: reads pxed.toml (see examples/pxed.toml for every key) into the
// typed Config, reporting every problem at once as FILE:LINE:COL: KEY: what was expected -
// TOML syntax, unknown keys (a typo is an error), wrong types, bad addresses and options, then
// the validate() rules.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <tl/expected.hpp>

#include "config/config.h"
#include "config/config_error.h"

namespace pxed::config {

// A config read and type-checked but not validated yet, with where each value was written.
struct ParsedConfig {
  Config config;
  SourceMap sources;
};

// Read + type-check only: for callers that apply command-line overrides before validating:
//   auto parsed = parse_config_file(path);            // errors: print them, exit
//   parsed->config.tftp.port = flag;                  // an override...
//   parsed->sources.set("tftp.port", {"--tftp-port"});   // ...named in its errors
//   auto errors = validate(parsed->config, &parsed->sources);
tl::expected<ParsedConfig, ConfigErrors> parse_config_file(const std::string& path);
tl::expected<ParsedConfig, ConfigErrors> parse_config_string(std::string_view toml,
                                                             std::string_view name);

// "127.0.0.1:8081" -> address and port (1 to 65535); nullopt otherwise. Pure.
std::optional<ListenAddress> parse_listen_address(std::string_view text);

// The first line of a token file without trailing white space (api.token-file, the command
// line's --token-file); nullopt when the file cannot be read (errno says why).
std::optional<std::string> read_token_file(const std::string& path);

// Read, type-check and validate. Errors come sorted by position in the file.
tl::expected<Config, ConfigErrors> load_config_file(const std::string& path);
tl::expected<Config, ConfigErrors> load_config_string(std::string_view toml, std::string_view name);

}  // namespace pxed::config
