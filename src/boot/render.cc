#include "boot/render.h"

#include <fmt/format.h>

namespace pxed::boot {

namespace {

// pxelinux and syslinux.efi: no menu, no wait.
constexpr std::string_view kPxelinux = R"(# pxed: profile {{profile}} for {{mac}}{{#hostname}} ({{hostname}}){{/hostname}}
SAY pxed: profile {{profile}} for {{mac}}
DEFAULT {{profile}}
PROMPT 0
TIMEOUT 0
LABEL {{profile}}
  KERNEL {{kernel}}
{{#initrd_csv}}  INITRD {{initrd_csv}}
{{/initrd_csv}}  APPEND {{cmdline}}
)";

// iPXE: everything over HTTP; a failed download is retried rather than ending on iPXE's
// "boot failed" prompt, and the attempt is visible on the console.
constexpr std::string_view kIpxe = R"(#!ipxe
# pxed: profile {{profile}} for {{mac}}{{#hostname}} ({{hostname}}){{/hostname}}
echo pxed: profile {{profile}} for {{mac}}
:start
imgfree
kernel {{kernel_url}}{{#initrd_names}} initrd={{.}}{{/initrd_names}} {{cmdline}} || goto retry
{{#initrd_urls}}initrd {{.}} || goto retry
{{/initrd_urls}}boot || goto retry
:retry
echo pxed: a download failed; trying again in 5 seconds
sleep 5
goto start
)";

// GRUB: GRUB's root is the TFTP server it was loaded from, so absolute paths name files below
// pxed's root.
constexpr std::string_view kGrub = R"(# pxed: profile {{profile}} for {{mac}}{{#hostname}} ({{hostname}}){{/hostname}}
set default=0
set timeout=0
menuentry '{{profile}}' {
  echo 'pxed: profile {{profile}} for {{mac}}'
  linux {{kernel_path}} {{cmdline}}
{{#initrd_csv}}  initrd {{initrd_paths}}
{{/initrd_csv}}}
)";

constexpr std::string_view kPxelinuxLocal = R"(# pxed: {{mac}} boots from its local disk
DEFAULT local
PROMPT 0
TIMEOUT 0
LABEL local
  LOCALBOOT 0
)";

constexpr std::string_view kIpxeLocal = R"(#!ipxe
# pxed: {{mac}} boots from its local disk
exit
)";

constexpr std::string_view kGrubLocal = R"(# pxed: {{mac}} boots from its local disk
exit
)";

Template parse_builtin(std::string_view text) {
  auto t = Template::parse(text, template_names());
  if (!t) throw std::logic_error("built-in boot template: " + t.error().message);
  return std::move(*t);
}

std::string absolute(std::string_view path) {
  if (is_url(path) || path.starts_with('/')) return std::string(path);
  return "/" + std::string(path);
}

std::string base_name(std::string_view path) {
  auto slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

}  // namespace

bool is_url(std::string_view s) {
  return s.starts_with("http://") || s.starts_with("https://") || s.starts_with("tftp://");
}

std::string url_for(std::string_view path, const Site& site) {
  if (is_url(path)) return std::string(path);
  while (path.starts_with('/')) path.remove_prefix(1);
  if (site.http_port == 80) return fmt::format("http://{}/{}", site.server.to_string(), path);
  return fmt::format("http://{}:{}/{}", site.server.to_string(), site.http_port, path);
}

const std::set<std::string, std::less<>>& template_names() {
  static const std::set<std::string, std::less<>> names = {
      "server",     "http_port",    "http",         "mac",          "mac_dashes",
      "ip",         "hostname",     "arch",         "arch_name",    "profile",
      "kernel",     "kernel_path",  "kernel_url",   "initrds",      "initrd_paths",
      "initrd_urls", "initrd_names", "initrd_csv",  "cmdline",      "rootfs_url"};
  return names;
}

TemplateValues template_values(const Profile& p, const MachineFacts& m, const Site& site) {
  TemplateValues v;
  v["server"] = site.server.to_string();
  v["http_port"] = std::to_string(site.http_port);
  std::string http = url_for("", site);
  http.pop_back();  // no trailing '/'
  v["http"] = http;
  v["mac"] = m.mac ? m.mac->to_string() : std::string();
  v["mac_dashes"] = m.mac ? m.mac->to_string('-') : std::string();
  v["ip"] = m.ip.is_zero() ? std::string() : m.ip.to_string();
  v["hostname"] = m.hostname;
  v["arch"] = m.arch ? std::to_string(*m.arch) : std::string();
  v["arch_name"] = m.arch ? std::string(arch_description(m.arch)) : std::string();
  v["profile"] = p.name;
  v["kernel"] = p.kernel;
  v["kernel_path"] = absolute(p.kernel);
  v["kernel_url"] = url_for(p.kernel, site);
  std::vector<std::string> paths, urls, names;
  std::string csv;
  for (const std::string& i : p.initrds) {
    paths.push_back(absolute(i));
    urls.push_back(url_for(i, site));
    names.push_back(base_name(i));
    csv += (csv.empty() ? "" : ",") + i;
  }
  v["initrds"] = p.initrds;
  v["initrd_paths"] = std::move(paths);
  v["initrd_urls"] = std::move(urls);
  v["initrd_names"] = std::move(names);
  v["initrd_csv"] = csv;
  // The profile's own templates see every other value; the root-fs URL can be used by the
  // command line.
  v["rootfs_url"] = std::string();
  v["cmdline"] = std::string();
  auto own = [&](const std::string& text) {
    auto t = Template::parse(text, template_names());
    return t ? t->render(v) : text;  // validated at load time; unchanged if not
  };
  v["rootfs_url"] = own(p.rootfs_url);
  v["cmdline"] = own(p.cmdline);
  return v;
}

const Template& builtin_template(LoaderKind kind) {
  static const Template pxelinux = parse_builtin(kPxelinux);
  static const Template ipxe = parse_builtin(kIpxe);
  static const Template grub = parse_builtin(kGrub);
  switch (kind) {
    case LoaderKind::pxelinux:
      return pxelinux;
    case LoaderKind::grub:
      return grub;
    case LoaderKind::ipxe:
      break;
  }
  return ipxe;
}

std::string render_boot_file(const Profile& p, LoaderKind kind, const MachineFacts& m,
                             const Site& site, bool local_boot) {
  if (local_boot) {
    static const Template pxelinux = parse_builtin(kPxelinuxLocal);
    static const Template ipxe = parse_builtin(kIpxeLocal);
    static const Template grub = parse_builtin(kGrubLocal);
    TemplateValues v;
    v["mac"] = m.mac ? m.mac->to_string() : std::string("this machine");
    const Template& t = kind == LoaderKind::pxelinux ? pxelinux
                        : kind == LoaderKind::grub   ? grub
                                                     : ipxe;
    return t.render(v);
  }
  const std::shared_ptr<const Template>& own = kind == LoaderKind::pxelinux ? p.pxelinux_template
                                               : kind == LoaderKind::grub   ? p.grub_template
                                                                            : p.ipxe_template;
  const Template& t = own ? *own : builtin_template(kind);
  return t.render(template_values(p, m, site));
}

}  // namespace pxed::boot
