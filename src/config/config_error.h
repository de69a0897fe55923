// What the config loader and validate() report: one error per problem, each with the place in
// the file it is about, printed as `FILE:LINE:COL: KEY: what was expected`.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"

namespace pxed::config {

struct ConfigError {
  SourcePos pos;        // file empty: no place (a config built from flags)
  std::string message;  // starts with the key path: "dhcp.subnet[0].pools[1]: expected ..."

  // "FILE:LINE:COL: message", "FILE: message" when there is no line, or just the message.
  std::string to_string() const;
};

using ConfigErrors = std::vector<ConfigError>;

// Orders errors by file position (errors without one last, in the order they were found).
void sort_errors(ConfigErrors& errors);

// Where each value of a loaded config was written, by key path: "root", "dhcp.lease-time",
// "dhcp.subnet[0].pools[1]", "dhcp.subnet[0].reservation[2].mac", "dhcp.options.routers".
// validate() takes its error positions from here. A caller that overrides a value from the
// command line calls replace("tftp.port", SourcePos{"--tftp-port"}) so errors name the flag.
class SourceMap {
 public:
  void set(std::string path, SourcePos pos);
  // Forgets path and everything below it ("interfaces[0]"...), then sets path to pos.
  void replace(const std::string& path, SourcePos pos);
  // The position of path, else of the nearest enclosing key that has one, else an empty one.
  SourcePos find(std::string_view path) const;

  // A value that failed to load (a placeholder stands in its place in the Config); validate()
  // skips the checks that would only repeat the problem. Covers everything below path too.
  void mark_invalid(std::string path);
  bool is_invalid(std::string_view path) const;

 private:
  std::map<std::string, SourcePos, std::less<>> positions_;
  std::set<std::string, std::less<>> invalid_;
};

// "dhcp.subnet[0].pools[1]" -> "dhcp.subnet[0].pools" -> "dhcp.subnet[0]" -> "dhcp.subnet" ->
// "dhcp" -> "".
std::string_view parent_path(std::string_view path);

}  // namespace pxed::config
