#include "tftp/remap.h"

#include <fmt/format.h>

namespace pxed::tftp {

Result<Remapper> Remapper::compile(std::vector<RemapRule> rules) {
  Remapper r;
  for (std::size_t i = 0; i < rules.size(); ++i) {
    auto flags = std::regex::ECMAScript;
    if (rules[i].ignore_case) flags |= std::regex::icase;
    try {
      r.compiled_.emplace_back(rules[i].match, flags);
    } catch (const std::regex_error& e) {
      return fail(Errc::invalid_argument, fmt::format("rule {}: {}", i, e.what()));
    }
  }
  r.rules_ = std::move(rules);
  return r;
}

Remapper::Outcome Remapper::apply(std::string_view name, Ipv4 client) const {
  Outcome out{std::string(name), {}};
  const std::string client_text = client.to_string();
  for (std::size_t i = 0; i < rules_.size(); ++i) {
    std::smatch m;
    if (!std::regex_search(out.name, m, compiled_[i])) continue;
    std::string format = rules_[i].replace;
    for (std::size_t at; (at = format.find("${client}")) != std::string::npos;) {
      format.replace(at, 9, client_text);
    }
    std::string after = m.prefix().str() + m.format(format) + m.suffix().str();
    out.fired.push_back(Fired{i, out.name, after});
    out.name = std::move(after);
    if (rules_[i].last) break;
  }
  return out;
}

}  // namespace pxed::tftp
