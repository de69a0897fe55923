#include "boot/explain.h"

#include <fmt/format.h>

#include "boot/boot_files.h"
#include "boot/sightings.h"

namespace pxed::boot {

namespace {

std::string indent(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    out += "    " + text.substr(start, nl - start) + "\n";
    start = nl + 1;
  }
  return out;
}

std::string dhcp_answer(const BootDecision& d, const Site& site, bool http_boot) {
  std::string out;
  if (http_boot) out += "    option 60: \"HTTPClient\"\n";
  out += fmt::format("    next server (siaddr, option 66): {}\n", site.server.to_string());
  out += fmt::format("    boot file (file, option 67): {} ({})\n", d.file,
                     d.url ? "fetched over HTTP" : "fetched over TFTP");
  return out;
}

}  // namespace

std::string explain(const Policy& policy, const ExplainInput& in, std::int64_t now) {
  std::string out;
  const std::uint16_t arch = in.arch.value_or(0);
  const ArchInfo* info = find_arch(arch);
  const bool http_boot = info && info->http_boot;
  const bool ipxe_only = in.user_class == "iPXE";
  out += fmt::format("machine {}, arch {} ({}){}{}\n", in.mac.to_string(),
                     in.arch ? std::to_string(*in.arch) : "none",
                     in.arch ? arch_description(in.arch) : "none sent: treated as BIOS",
                     in.ip.is_zero() ? "" : ", address " + in.ip.to_string(),
                     in.user_class.empty() ? "" : ", user class " + in.user_class);

  BootRequest req;
  req.mac = in.mac;
  req.arch = in.arch;
  req.uuid = in.uuid;
  req.user_class = in.user_class;
  req.hostname = in.hostname;
  req.host_boot_file = in.reservation_boot_file;
  req.now = now;
  Selection sel = policy.select(req);
  if (sel.host) {
    const HostRecord& h = *sel.host;
    std::string labels;
    for (const auto& l : h.labels) labels += (labels.empty() ? "" : ",") + l;
    out += fmt::format("host record: profile {}, hostname {}, labels {}{}\n",
                       h.profile.empty() ? "(none)" : h.profile,
                       h.hostname.empty() ? "(none)" : h.hostname,
                       labels.empty() ? "(none)" : labels,
                       !h.boot_once            ? ""
                       : h.netbooted_at == 0   ? ", boot once: not used yet"
                       : sel.local_boot        ? ", boot once: used, boots from its local disk"
                                               : ", boot once: being used now");
  } else {
    out += "host record: none\n";
  }
  if (sel.profile) {
    out += fmt::format("profile: {} (loader {}), chosen by {}\n", sel.profile->name,
                       to_string(sel.profile->loader), sel.why);
  } else {
    out += fmt::format("profile: none ({}): the architecture table and boot.files decide\n",
                       sel.why);
  }

  int stage = 0;
  auto dhcp_stage = [&](std::string title, BootRequest r) -> std::optional<BootDecision> {
    out += fmt::format("\n{}. {}\n", ++stage, title);
    auto d = policy.decide(r);
    if (!d) {
      out += fmt::format("    no boot file: no loader is known for {} (set boot.files or the "
                         "profile's loader-files)\n",
                         arch_description(r.arch));
      return std::nullopt;
    }
    out += dhcp_answer(*d, policy.site(), r.http_boot);
    if (r.ipxe) out += "    iPXE option 175.176 (no-pxedhcp): 1\n";
    return d;
  };

  std::optional<BootDecision> first;
  if (!ipxe_only) {
    BootRequest fw = req;
    fw.http_boot = http_boot;
    first = dhcp_stage(http_boot ? "UEFI HTTP Boot firmware asks DHCP" : "the firmware's PXE asks DHCP", fw);
  }
  bool reaches_ipxe = ipxe_only ||
                      (first && sel.profile && sel.profile->loader == LoaderKind::ipxe) ||
                      (first && !sel.profile && first->file.find("ipxe") != std::string::npos);
  if (reaches_ipxe) {
    BootRequest ip = req;
    ip.ipxe = true;
    ip.user_class = "iPXE";
    dhcp_stage("iPXE asks DHCP (user class iPXE)", ip);
  }

  if (!sel.profile) return out;
  // The files the loader then reads, as pxed renders them for this machine.
  Sightings seen;
  Sighting s;
  s.mac = in.mac;
  s.ip = in.ip;
  s.arch = in.arch;
  s.uuid = in.uuid;
  s.user_class = in.user_class;
  s.hostname = in.hostname;
  seen.record(s);
  BootFiles files(policy, seen);
  std::string path = sel.profile->loader == LoaderKind::ipxe ? ipxe_script_path(in.mac)
                     : sel.profile->loader == LoaderKind::pxelinux
                         ? "pxelinux.cfg/01-" + in.mac.to_string('-')
                         : "grub/grub.cfg-01-" + in.mac.to_string('-');
  auto r = files.render(path, in.ip, now);
  out += fmt::format("\n{}. the {} loader reads {} (over {}):\n", ++stage,
                     to_string(sel.profile->loader), path,
                     sel.profile->loader == LoaderKind::ipxe ? "HTTP" : "TFTP or HTTP");
  out += r ? indent(r->text) : "    (nothing rendered)\n";
  return out;
}

}  // namespace pxed::boot
