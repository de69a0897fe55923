#include "boot/boot_files.h"

#include <algorithm>

#include <fmt/format.h>

namespace pxed::boot {

namespace {

std::optional<MacAddress> parse_mac(std::string_view text) {
  std::string s(text);
  std::replace(s.begin(), s.end(), '-', ':');
  return MacAddress::parse(s);
}

// "01-52-54-00-e2-e0-01" (pxelinux's ARP type 1 prefix) or a bare MAC.
std::optional<MacAddress> parse_typed_mac(std::string_view text) {
  if (text.size() == 20 && text.starts_with("01")) return parse_mac(text.substr(3));
  return parse_mac(text);
}

}  // namespace

std::optional<BootPath> parse_boot_path(std::string_view path) {
  if (path == "pxelinux.cfg/default") return BootPath{LoaderKind::pxelinux, std::nullopt};
  if (path == "grub/grub.cfg") return BootPath{LoaderKind::grub, std::nullopt};
  if (path.starts_with("pxelinux.cfg/01-")) {
    if (auto mac = parse_typed_mac(path.substr(13))) return BootPath{LoaderKind::pxelinux, mac};
    return std::nullopt;
  }
  if (path.starts_with("grub/grub.cfg-")) {
    if (auto mac = parse_typed_mac(path.substr(14))) return BootPath{LoaderKind::grub, mac};
    return std::nullopt;
  }
  if (path.starts_with("ipxe/") && path.ends_with(".ipxe")) {
    if (auto mac = parse_mac(path.substr(5, path.size() - 10))) {
      return BootPath{LoaderKind::ipxe, mac};
    }
  }
  return std::nullopt;
}

std::optional<RenderedFile> BootFiles::render(std::string_view path, Ipv4 client,
                                              std::int64_t now) const {
  auto bp = parse_boot_path(path);
  if (!bp) return std::nullopt;
  std::optional<Sighting> seen =
      bp->mac ? sightings_.by_mac(*bp->mac) : sightings_.by_ip(client);
  std::optional<MacAddress> mac = bp->mac;
  if (!mac && seen) mac = seen->mac;
  if (!mac && bp->kind == LoaderKind::grub) {
    // GRUB knows its MAC: let it ask for its own file.
    RenderedFile r;
    r.text = fmt::format(
        "# pxed: {} is not known by its address; the config is asked for by MAC\n"
        "configfile /grub/grub.cfg-01-${{net_default_mac}}\n",
        client.to_string());
    r.why = "unknown address";
    return r;
  }
  BootRequest req;
  if (mac) req.mac = *mac;
  if (seen) {
    req.arch = seen->arch;
    req.uuid = seen->uuid;
    req.user_class = seen->user_class;
    req.hostname = seen->hostname;
  }
  req.now = now;
  Selection sel = mac ? policy_.select(req) : Selection{};
  if (!mac) {
    // Nobody known: only the default profile can apply.
    BootRequest nobody;
    nobody.now = now;
    sel = policy_.select(nobody);
  }
  if (!sel.profile) return std::nullopt;
  MachineFacts facts;
  facts.mac = mac;
  if (seen) {
    facts.arch = seen->arch;
    facts.ip = seen->ip;
    facts.hostname = seen->hostname;
  }
  if (facts.ip.is_zero() && !bp->mac) facts.ip = client;
  if (sel.host && !sel.host->hostname.empty()) facts.hostname = sel.host->hostname;
  RenderedFile r;
  r.mac = mac;
  r.profile = sel.profile->name;
  r.why = sel.why;
  r.local_boot = sel.local_boot;
  r.first_netboot = !sel.local_boot && sel.host && sel.host->boot_once && sel.host->netbooted_at == 0;
  r.text = render_boot_file(*sel.profile, bp->kind, facts, policy_.site(), sel.local_boot);
  return r;
}

std::optional<RenderedFile> BootFiles::serve(std::string_view path, Ipv4 client,
                                             std::int64_t now, std::string* marked_error) const {
  auto r = render(path, client, now);
  if (r && r->first_netboot && r->mac && policy_.hosts()) {
    // A failed write means the host is network-booted once more, nothing worse.
    if (auto marked = policy_.hosts()->mark_netbooted(*r->mac, now); !marked && marked_error) {
      *marked_error = marked.error().message;
    }
  }
  return r;
}

}  // namespace pxed::boot
