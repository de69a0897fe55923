// Filename remapping, like tftpd-hpa's -m rules: an ordered list of regular expressions, each
// rewriting the requested name when it matches, so that old clients and hard-coded paths find
// the files where they really are ("/boot/x86/pxelinux.0" -> "bios/pxelinux.0", "\" -> "/",
// a per-client directory). Pure: the client address is passed in.
#pragma once

#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "core/net_types.h"
#include "core/result.h"

namespace pxed::tftp {

struct RemapRule {
  std::string match;    // ECMAScript regular expression, searched anywhere in the name
  std::string replace;  // $1..$9 and $& from the match, ${client} = the client's IPv4 address
  bool ignore_case = false;
  bool last = false;  // stop here when this rule fires
};

class Remapper {
 public:
  // One of the rules' expressions does not compile: invalid_argument "rule N: why".
  static Result<Remapper> compile(std::vector<RemapRule> rules);
  Remapper() = default;

  struct Fired {
    std::size_t rule;  // index in the rules
    std::string before, after;
  };
  struct Outcome {
    std::string name;  // what to open
    std::vector<Fired> fired;
  };
  // Applies every rule in order to the name (each to the first match only), stopping after a
  // `last` rule that fired.
  Outcome apply(std::string_view name, Ipv4 client) const;

  bool empty() const { return rules_.empty(); }
  const std::vector<RemapRule>& rules() const { return rules_; }

 private:
  std::vector<RemapRule> rules_;
  std::vector<std::regex> compiled_;
};

}  // namespace pxed::tftp
