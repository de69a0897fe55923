#include "boot/policy.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "boot/arch_table.h"

namespace pxed::boot {

namespace {

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view name) {
  // Iterative matcher with one backtrack point: linear enough for host names.
  std::size_t p = 0, n = 0, star = std::string_view::npos, mark = 0;
  auto same = [](char a, char b) {
    return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
  };
  while (n < name.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (p < pattern.size() && same(pattern[p], name[n])) {
      ++p;
      ++n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

std::optional<Bytes> parse_uuid(std::string_view text) {
  Bytes out;
  int half = -1;
  for (char c : text) {
    if (c == '-') continue;
    int v = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (v < 0) return std::nullopt;
    if (half < 0) {
      half = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(half << 4 | v));
      half = -1;
    }
  }
  if (half >= 0 || out.size() != 16) return std::nullopt;
  return out;
}

bool uuid_matches(const Bytes& configured, const Bytes& option97) {
  if (configured.size() != 16 || option97.size() != 16) return false;
  if (configured == option97) return true;
  Bytes swapped = configured;
  std::reverse(swapped.begin(), swapped.begin() + 4);
  std::reverse(swapped.begin() + 4, swapped.begin() + 6);
  std::reverse(swapped.begin() + 6, swapped.begin() + 8);
  return swapped == option97;
}

std::string ipxe_script_path(const MacAddress& mac) {
  return fmt::format("ipxe/{}.ipxe", mac.to_string('-'));
}

Policy::Policy(PolicyConfig config, HostDirectory* hosts)
    : config_(std::move(config)), hosts_(hosts) {}

Site Policy::site(Ipv4 server) const {
  return Site{server.is_zero() ? config_.server : server, config_.http_port};
}

std::string Policy::http_url(const std::string& path, Ipv4 server) const {
  return url_for(path, site(server));
}

const Profile* Policy::profile(std::string_view name) const {
  for (const Profile& p : config_.profiles) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

bool Policy::matches(const Match& m, const BootRequest& req,
                     const std::optional<HostRecord>& host) const {
  if (m.mac && *m.mac != req.mac) return false;
  if (!m.mac_prefix.empty() &&
      !std::equal(m.mac_prefix.begin(), m.mac_prefix.end(), req.mac.bytes().begin())) {
    return false;
  }
  if (m.uuid && (!req.uuid || !uuid_matches(*m.uuid, *req.uuid))) return false;
  if (!m.arch.empty()) {
    if (!req.arch || std::find(m.arch.begin(), m.arch.end(), *req.arch) == m.arch.end()) {
      return false;
    }
  }
  if (!m.user_class.empty() && !iequal(m.user_class, req.user_class)) return false;
  if (!m.hostname.empty()) {
    std::string_view name = !req.hostname.empty() ? std::string_view(req.hostname)
                            : host                ? std::string_view(host->hostname)
                                                  : std::string_view();
    if (name.empty() || !glob_match(m.hostname, name)) return false;
  }
  for (const std::string& label : m.labels) {
    if (!host || std::find(host->labels.begin(), host->labels.end(), label) == host->labels.end()) {
      return false;
    }
  }
  return true;
}

Selection Policy::select(const BootRequest& req) const {
  Selection s;
  if (hosts_) s.host = hosts_->find(req.mac);
  if (s.host) s.local_boot = boots_locally(*s.host, req.now);
  if (s.host && !s.host->profile.empty()) {
    if (const Profile* p = profile(s.host->profile)) {
      s.profile = p;
      s.why = "host record";
      return s;
    }
    s.why = fmt::format("the host record's profile \"{}\" is not configured; ", s.host->profile);
  }
  for (const Rule& r : config_.rules) {
    if (!matches(r.match, req, s.host)) continue;
    s.profile = profile(r.profile);  // validated: it exists
    s.why += r.where;
    return s;
  }
  if (!config_.default_profile.empty()) {
    s.profile = profile(config_.default_profile);
    s.why += "boot.default-profile";
    return s;
  }
  s.why += "no profile";
  return s;
}

std::optional<BootDecision> Policy::decide(const BootRequest& req) const {
  Selection sel = select(req);
  BootDecision d;
  d.stage = req.ipxe ? "iPXE" : req.http_boot ? "HTTP Boot" : "firmware";
  d.why = sel.why;
  // No option 93 at all (an OS client, syslinux.efi's own DHCP): treat it as BIOS, the only
  // architecture that predates the option.
  const std::uint16_t arch = req.arch.value_or(0);
  const ArchInfo* info = find_arch(arch);
  std::string file;
  if (!sel.profile) {
    // A machine already running iPXE must not be handed iPXE again, or it loads itself forever.
    if (req.ipxe && !config_.ipxe_boot_file.empty()) {
      file = config_.ipxe_boot_file;
    } else if (!req.host_boot_file.empty()) {
      file = req.host_boot_file;  // the reservation's own
    } else if (auto it = config_.boot_files.find(arch); it != config_.boot_files.end()) {
      file = it->second;
    } else if (info) {
      file = info->default_loader();
    }
  } else {
    const Profile& p = *sel.profile;
    d.profile = p.name;
    if (req.ipxe && p.loader == LoaderKind::ipxe) {
      file = http_url(ipxe_script_path(req.mac), req.server);
    } else if (!req.host_boot_file.empty()) {
      file = req.host_boot_file;
    } else if (auto it = p.loader_files.find(arch); it != p.loader_files.end()) {
      file = it->second;
    } else if (info) {
      file = info->loader(p.loader);
    }
  }
  if (file.empty()) return std::nullopt;
  if (req.http_boot && !is_url(file)) file = http_url(file, req.server);
  d.url = is_url(file);
  d.file = std::move(file);
  return d;
}

}  // namespace pxed::boot
