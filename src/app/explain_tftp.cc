#include "app/explain_tftp.h"

#include <cstdio>

#include <fmt/format.h>

#include "config/loader.h"
#include "files/name_space.h"
#include "tftp/transfer_log.h"

namespace pxed::app {

Result<tftp::Remapper> tftp_remapper(const config::TftpConfig& t) {
  std::vector<tftp::RemapRule> rules;
  for (const auto& r : t.remap) rules.push_back({r.match, r.replace, r.ignore_case, r.last});
  return tftp::Remapper::compile(std::move(rules));
}

int explain_tftp_main(const std::string& path, const std::string& client,
                      const std::string& config_file, const std::string& root_dir) {
  auto ip = Ipv4::parse(client);
  if (!ip) {
    std::fprintf(stderr, "pxed: --client: expected an IPv4 address, got %s\n", client.c_str());
    return 2;
  }
  config::TftpConfig tftp;
  std::string root = root_dir;
  if (!config_file.empty()) {
    auto cfg = config::load_config_file(config_file);
    if (!cfg) {
      for (const auto& e : cfg.error()) std::fprintf(stderr, "%s\n", e.to_string().c_str());
      return 2;
    }
    tftp = cfg->tftp;
    if (root.empty()) root = cfg->root;
  }
  if (root.empty()) {
    std::fprintf(stderr, "pxed: explain-tftp needs --config FILE or --root DIR\n");
    return 2;
  }
  auto remap = tftp_remapper(tftp);
  if (!remap) {
    std::fprintf(stderr, "pxed: tftp.remap: %s\n", remap.error().message.c_str());
    return 2;
  }

  std::printf("request: %s from %s\n", tftp::printable(path).c_str(), ip->to_string().c_str());
  auto outcome = remap->apply(path, *ip);
  std::size_t next = 0;
  for (std::size_t i = 0; i < remap->rules().size(); ++i) {
    const tftp::RemapRule& r = remap->rules()[i];
    std::string rule = fmt::format("rule {}: \"{}\" -> \"{}\"{}{}", i, r.match, r.replace,
                                   r.ignore_case ? " (ignore case)" : "", r.last ? " (last)" : "");
    if (next < outcome.fired.size() && outcome.fired[next].rule == i) {
      std::printf("%s: fired, %s => %s\n", rule.c_str(),
                  tftp::printable(outcome.fired[next].before).c_str(),
                  tftp::printable(outcome.fired[next].after).c_str());
      ++next;
    } else if (!outcome.fired.empty() && outcome.fired.back().rule < i &&
               remap->rules()[outcome.fired.back().rule].last) {
      std::printf("%s: not tried (a last rule fired)\n", rule.c_str());
    } else {
      std::printf("%s: no match\n", rule.c_str());
    }
  }
  if (remap->rules().empty()) std::printf("no remapping rules\n");

  try {
    FileRoot files(root);
    files::FileNameSpace names(files);
    auto content = names.open(outcome.name, files::Requester{*ip, "tftp"});
    if (!content) {
      std::printf("result: %s -> nothing sent: %s (%s)\n", tftp::printable(outcome.name).c_str(),
                  content.error().code == Errc::not_found ? "file not found"
                                                          : "access violation",
                  content.error().message.c_str());
      return 1;
    }
    auto rel = normalize_request_path(outcome.name);
    std::printf("result: %s -> sends %s/%s (%llu bytes)\n", tftp::printable(outcome.name).c_str(),
                root.c_str(), rel ? rel->c_str() : "?",
                static_cast<unsigned long long>(content->size()));
    return 0;
  } catch (const std::runtime_error& e) {
    std::fprintf(stderr, "pxed: %s\n", e.what());
    return 2;
  }
}

}  // namespace pxed::app
