// Writes the seed corpora of the fuzz targets: the packets real clients send
// (../shared/docs/PXE-CLIENTS.md) and a few hand-made edge cases, built byte by byte here so
// that no codec under test writes its own seeds. Deterministic: the committed files under
// tests/fuzz/corpus/*/seed-* are exactly what this prints, which the CTest fuzz.seeds test
// checks. Self-contained (no pxed code), so a change in the codecs never changes the seeds.
//
//   fuzz_make_seeds OUTDIR    writes OUTDIR/{dhcp_decode,tftp_decode,http_target}/seed-*
#include <array>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace {

using Bytes = std::vector<std::uint8_t>;
namespace fs = std::filesystem;

int g_written = 0;
bool g_failed = false;

void write_seed(const fs::path& dir, const std::string& name, const Bytes& data) {
  fs::create_directories(dir);
  std::ofstream out(dir / ("seed-" + name), std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  if (!out) {
    std::fprintf(stderr, "cannot write %s\n", (dir / name).c_str());
    g_failed = true;
  }
  ++g_written;
}

Bytes str(std::string_view s) {
  return Bytes(s.begin(), s.end());
}

Bytes cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

void put16(Bytes& b, std::uint16_t v) {
  b.push_back(static_cast<std::uint8_t>(v >> 8));
  b.push_back(static_cast<std::uint8_t>(v));
}
void put32(Bytes& b, std::uint32_t v) {
  put16(b, static_cast<std::uint16_t>(v >> 16));
  put16(b, static_cast<std::uint16_t>(v));
}
Bytes u16(std::uint16_t v) {
  Bytes b;
  put16(b, v);
  return b;
}
Bytes ip(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) {
  return {a, b, c, d};
}

// ---------------------------------------------------------------------------------------------
// DHCP

using Mac = std::array<std::uint8_t, 6>;
constexpr Mac kQemuMac = {0x52, 0x54, 0x00, 0xe2, 0xe0, 0x01};
constexpr Mac kEdk2Mac = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
constexpr Mac kLinuxMac = {0x52, 0x54, 0x00, 0xab, 0xcd, 0xef};
const Bytes kServerId = ip(198, 18, 0, 1);
const Bytes kOffered = ip(198, 18, 0, 100);

struct Opt {
  std::uint8_t code;
  Bytes value;
};

struct Header {
  std::uint8_t op = 1;  // BOOTREQUEST
  std::uint8_t hops = 0;
  std::uint32_t xid = 0;
  std::uint16_t secs = 0;
  std::uint16_t flags = 0;
  std::uint32_t ciaddr = 0;
  std::uint32_t giaddr = 0;
  Mac mac = kQemuMac;
  Bytes sname = {};  // raw field contents, zero-filled to 64
  Bytes file = {};   // raw field contents, zero-filled to 128
};

constexpr std::uint32_t kOfferedU32 = 0xc6120064;  // 198.18.0.100

Bytes options_area(const std::vector<Opt>& opts, bool end = true) {
  Bytes b;
  for (const Opt& o : opts) {
    b.push_back(o.code);
    b.push_back(static_cast<std::uint8_t>(o.value.size()));
    b.insert(b.end(), o.value.begin(), o.value.end());
  }
  if (end) b.push_back(255);
  return b;
}

Bytes dhcp(const Header& h, const std::vector<Opt>& opts, bool end = true) {
  Bytes b;
  b.push_back(h.op);
  b.push_back(1);  // Ethernet
  b.push_back(6);
  b.push_back(h.hops);
  put32(b, h.xid);
  put16(b, h.secs);
  put16(b, h.flags);
  put32(b, h.ciaddr);
  put32(b, h.op == 2 ? kOfferedU32 : 0);  // yiaddr
  put32(b, h.op == 2 ? 0xc6120001 : 0);   // siaddr
  put32(b, h.giaddr);
  b.insert(b.end(), h.mac.begin(), h.mac.end());
  b.insert(b.end(), 10, 0);
  Bytes sname = h.sname, file = h.file;
  sname.resize(64, 0);
  file.resize(128, 0);
  b.insert(b.end(), sname.begin(), sname.end());
  b.insert(b.end(), file.begin(), file.end());
  put32(b, 0x63825363);
  Bytes area = options_area(opts, end);
  b.insert(b.end(), area.begin(), area.end());
  return b;
}

Bytes client_id(const Mac& mac) {
  return cat({{1}, Bytes(mac.begin(), mac.end())});
}
// Option 97: type 0 + 16 bytes, all zero in QEMU without -uuid.
Bytes uuid() {
  return Bytes(17, 0);
}

Bytes prl_ipxe() {
  Bytes v = {1, 3, 6, 7, 12, 15, 17, 26, 43, 60, 66, 67, 119};
  for (std::uint8_t c = 128; c <= 135; ++c) v.push_back(c);
  v.push_back(175);
  v.push_back(203);
  return v;
}

Bytes prl_edk2_pxe() {
  Bytes v = {1,  2,  3,  4,  5,  6,  12, 13, 15, 17, 18, 22, 23, 28,
             40, 41, 42, 43, 50, 51, 54, 58, 59, 60, 66, 67, 97};
  for (std::uint8_t c = 128; c <= 135; ++c) v.push_back(c);
  return v;
}

// iPXE's option 175: bus id (177), version (235), then feature flags, each = 1.
Bytes ipxe_encap() {
  Bytes v = {177, 5, 1, 0x1a, 0xf4, 0x10, 0x00, 235, 3, 1, 0, 0};
  for (int f : {16, 19, 21, 23, 24, 25, 33, 34, 36, 39, 41}) {
    v.insert(v.end(), {static_cast<std::uint8_t>(f), 1, 1});
  }
  return v;
}

std::vector<Opt> ipxe_options(std::uint8_t type, bool efi) {
  return {
      {53, {type}},
      {57, u16(1472)},
      {93, u16(efi ? 7 : 0)},
      {94, efi ? Bytes{1, 3, 10} : Bytes{1, 2, 1}},
      {60, str(efi ? "PXEClient:Arch:00007:UNDI:003010" : "PXEClient:Arch:00000:UNDI:002001")},
      {77, str("iPXE")},  // the 4 raw bytes, not RFC 3004 length-prefixed
      {55, prl_ipxe()},
      {175, ipxe_encap()},
      {61, client_id(kQemuMac)},
      {97, uuid()},
  };
}

std::vector<Opt> with(std::vector<Opt> opts, std::initializer_list<Opt> extra) {
  opts.insert(opts.end(), extra);
  return opts;
}

std::vector<Opt> edk2_pxe_options(std::uint8_t type, std::uint16_t max_size, std::uint16_t arch,
                                  std::string_view vendor_class, Bytes prl) {
  return {
      {53, {type}}, {57, u16(max_size)},  {93, u16(arch)}, {94, {1, 3, 0}}, {60, str(vendor_class)},
      {97, uuid()}, {55, std::move(prl)},
  };
}

std::vector<Opt> udhcpc_options(std::uint8_t type) {
  return {
      {53, {type}},
      {61, client_id(kLinuxMac)},
      {57, u16(576)},
      {60, str("udhcp 1.35.0")},
      {55, {1, 3, 6, 12, 15, 28, 42}},
  };
}

void dhcp_seeds(const fs::path& dir) {
  const Bytes prl_http = {1, 3, 6, 15, 17, 28, 43, 60, 66, 67};

  Header ipxe{.xid = 0x6d7b1a01, .secs = 4};
  write_seed(dir, "ipxe-bios-discover", dhcp(ipxe, ipxe_options(1, false)));
  write_seed(dir, "ipxe-bios-request",
             dhcp(ipxe, with(ipxe_options(3, false), {{50, kOffered}, {54, kServerId}})));
  Header ipxe_efi{.xid = 0x6d7b1a02, .secs = 1};
  write_seed(dir, "ipxe-efi-discover", dhcp(ipxe_efi, ipxe_options(1, true)));
  write_seed(dir, "ipxe-efi-request",
             dhcp(ipxe_efi, with(ipxe_options(3, true), {{50, kOffered}, {54, kServerId}})));

  // edk2 native PXE: broadcast flag, 57 = 1472 in DISCOVER but 65280 in REQUEST.
  Header edk2{.xid = 0x3903f326, .flags = 0x8000, .mac = kEdk2Mac};
  const char* edk2_x64 = "PXEClient:Arch:00007:UNDI:003000";
  write_seed(dir, "edk2-pxe-discover",
             dhcp(edk2, edk2_pxe_options(1, 1472, 7, edk2_x64, prl_edk2_pxe())));
  write_seed(dir, "edk2-pxe-request",
             dhcp(edk2, with(edk2_pxe_options(3, 65280, 7, edk2_x64, prl_edk2_pxe()),
                             {{50, kOffered}, {54, kServerId}})));
  // edk2 ARM64 (AAVMF): its option 55 contains a 0.
  Bytes prl_aa64 = prl_edk2_pxe();
  prl_aa64.insert(prl_aa64.begin() + 3, 0);
  write_seed(
      dir, "edk2-aa64-discover",
      dhcp(edk2, edk2_pxe_options(1, 1472, 11, "PXEClient:Arch:00011:UNDI:003000", prl_aa64)));
  // edk2 UEFI HTTP Boot: the reply must say HTTPClient and carry a URL.
  Header http{.xid = 0x5a0c11e7, .flags = 0x8000, .mac = kEdk2Mac};
  const char* http_x64 = "HTTPClient:Arch:00016:UNDI:003000";
  write_seed(dir, "edk2-http-discover",
             dhcp(http, edk2_pxe_options(1, 1472, 16, http_x64, prl_http)));
  write_seed(dir, "edk2-http-request",
             dhcp(http, with(edk2_pxe_options(3, 1472, 16, http_x64, prl_http),
                             {{50, kOffered}, {54, kServerId}})));
  // syslinux.efi's own DHCP: only 53, 57 and 55 = 1,3,6; broadcast flag.
  Header syslinux{.xid = 0x00c0ffee, .flags = 0x8000, .mac = kEdk2Mac};
  write_seed(dir, "syslinux-efi-discover",
             dhcp(syslinux, {{53, {1}}, {57, u16(65280)}, {55, {1, 3, 6}}}));
  write_seed(dir, "syslinux-efi-request",
             dhcp(syslinux,
                  {{53, {3}}, {57, u16(65280)}, {55, {1, 3, 6}}, {50, kOffered}, {54, kServerId}}));

  // busybox udhcpc in the initramfs.
  Header udhcpc{.xid = 0x1b2e4c77, .mac = kLinuxMac};
  write_seed(dir, "udhcpc-discover", dhcp(udhcpc, udhcpc_options(1)));
  write_seed(dir, "udhcpc-request",
             dhcp(udhcpc, with(udhcpc_options(3), {{50, kOffered}, {54, kServerId}})));
  Header renewing = udhcpc;
  renewing.ciaddr = kOfferedU32;
  write_seed(dir, "udhcpc-renew", dhcp(renewing, udhcpc_options(3)));
  // INIT-REBOOT: a remembered address, no server id.
  write_seed(dir, "udhcpc-init-reboot", dhcp(udhcpc, with(udhcpc_options(3), {{50, kOffered}})));
  // Several clients omit the END option.
  write_seed(dir, "udhcpc-discover-no-end", dhcp(udhcpc, udhcpc_options(1), false));

  write_seed(dir, "release",
             dhcp(renewing, {{53, {7}}, {61, client_id(kLinuxMac)}, {54, kServerId}}));
  write_seed(
      dir, "decline",
      dhcp(udhcpc, {{53, {4}}, {61, client_id(kLinuxMac)}, {50, kOffered}, {54, kServerId}}));
  write_seed(dir, "inform",
             dhcp(renewing, {{53, {8}},
                             {61, client_id(kLinuxMac)},
                             {55, {1, 3, 6, 15, 66, 67}},
                             {60, str("udhcp 1.35.0")}}));

  // Through a relay: giaddr, hops 1, and option 82 (circuit id, remote id) appended last.
  Header relayed = udhcpc;
  relayed.hops = 1;
  relayed.giaddr = 0xc6120101;  // 198.18.1.1
  Bytes agent = cat({{1, 4}, str("eth1"), {2, 6, 0x02, 0x00, 0x00, 0x00, 0x01, 0x01}});
  write_seed(dir, "relayed-discover", dhcp(relayed, with(udhcpc_options(1), {{82, agent}})));
  write_seed(dir, "relayed-request",
             dhcp(relayed, with(udhcpc_options(3),
                                {{50, ip(198, 18, 1, 100)}, {54, kServerId}, {82, agent}})));
  // INIT-REBOOT through a relay on the served subnet, for an address of another one: NAK.
  Header relayed_served = relayed;
  relayed_served.giaddr = 0xc6120002;  // 198.18.0.2
  write_seed(
      dir, "relayed-init-reboot-wrong-net",
      dhcp(relayed_served, with(udhcpc_options(3), {{50, ip(198, 18, 1, 100)}, {82, agent}})));

  // RFC 3527 link selection (82.5): the relay sits on a network we do not serve.
  Header far_relay = relayed;
  far_relay.giaddr = 0xc612c801;  // 198.18.200.1
  Bytes agent_link = cat({agent, {5, 4}, ip(198, 18, 1, 0)});
  write_seed(dir, "relayed-link-selection-discover",
             dhcp(far_relay, with(udhcpc_options(1), {{82, agent_link}})));

  // The clients the fuzz target's config reserves addresses for (dhcp_decode_fuzz.cc).
  Header reserved_mac{
      .xid = 0x7e5e7e01, .flags = 0x8000, .mac = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0xcc}};
  write_seed(dir, "reserved-mac-discover",
             dhcp(reserved_mac, edk2_pxe_options(1, 1472, 7, edk2_x64, prl_edk2_pxe())));
  Header reserved_id{.xid = 0x7e5e7e02, .mac = kLinuxMac};
  write_seed(dir, "reserved-id-discover",
             dhcp(reserved_id, {{53, {1}}, {61, {0, 'r', 's', 'v'}}, {55, {1, 3, 6, 12, 15}}}));

  // Option overload 52 = 3: more options in the file field (read first), then in sname.
  Header overload{.xid = 0x0ee10ad0, .flags = 0x8000, .mac = kEdk2Mac};
  overload.file = options_area({{60, str("PXEClient:Arch:00000:UNDI:002001")}, {93, u16(0)}});
  overload.sname = options_area({{55, {1, 3, 6, 66, 67}}, {97, uuid()}});
  write_seed(dir, "overload-discover",
             dhcp(overload, {{53, {1}}, {52, {3}}, {57, u16(1472)}, {61, client_id(kEdk2Mac)}}));

  // RFC 3396: a long option split over two instances, joined by the decoder.
  Bytes vendor(300);
  for (std::size_t i = 0; i < vendor.size(); ++i) vendor[i] = static_cast<std::uint8_t>(i);
  write_seed(dir, "split-option-discover",
             dhcp(udhcpc, {{53, {1}},
                           {43, Bytes(vendor.begin(), vendor.begin() + 255)},
                           {61, client_id(kLinuxMac)},
                           {43, Bytes(vendor.begin() + 255, vendor.end())}}));

  // A server's OFFER seen on the wire (BOOTREPLY): decoded, never answered.
  Header reply{.op = 2, .xid = 0x1b2e4c77, .mac = kLinuxMac};
  write_seed(
      dir, "server-offer",
      dhcp(reply,
           {{53, {2}}, {54, kServerId}, {51, {0, 0, 0x02, 0x58}}, {1, ip(255, 255, 255, 0)}}));
}

// ---------------------------------------------------------------------------------------------
// TFTP

// opcode, then NUL-terminated strings.
Bytes tftp(std::uint16_t opcode, std::initializer_list<std::string_view> strings) {
  Bytes b = u16(opcode);
  for (std::string_view s : strings) {
    b.insert(b.end(), s.begin(), s.end());
    b.push_back(0);
  }
  return b;
}

void tftp_seeds(const fs::path& dir) {
  write_seed(dir, "rrq-ipxe", tftp(1, {"pxelinux.0", "octet", "blksize", "1432", "tsize", "0"}));
  write_seed(dir, "rrq-edk2-probe",
             tftp(1, {"ipxe.efi", "octet", "tsize", "0", "blksize", "1468", "windowsize", "4"}));
  write_seed(dir, "rrq-pxelinux",
             tftp(1, {"ldlinux.c32", "octet", "tsize", "0", "blksize", "1408"}));
  write_seed(
      dir, "rrq-pxelinux-mac",
      tftp(1, {"pxelinux.cfg/01-52-54-00-e2-e0-01", "octet", "tsize", "0", "blksize", "1408"}));
  write_seed(dir, "rrq-pxelinux-hex",
             tftp(1, {"pxelinux.cfg/C6120064", "octet", "tsize", "0", "blksize", "1408"}));
  write_seed(dir, "rrq-grub",
             tftp(1, {"/grub/grub.cfg", "octet", "blksize", "1024", "tsize", "0"}));
  write_seed(dir, "rrq-windows", tftp(1, {"\\boot\\bcd", "octet"}));
  write_seed(dir, "rrq-netascii", tftp(1, {"readme.txt", "netascii"}));
  write_seed(dir, "rrq-limits",
             tftp(1, {"big.img", "OCTET", "BLKSIZE", "65464", "Timeout", "255", "windowsize", "64",
                      "blksize", "8", "tsize", "0"}));
  Bytes padded = tftp(1, {"ldlinux.c32", "octet", "tsize", "0"});
  padded.insert(padded.end(), 6, 0);
  write_seed(dir, "rrq-nul-padded", padded);
  write_seed(dir, "wrq", tftp(2, {"upload.bin", "octet"}));
  write_seed(dir, "ack-oack", cat({u16(4), u16(0)}));
  write_seed(dir, "ack-1", cat({u16(4), u16(1)}));
  write_seed(dir, "ack-rollover", cat({u16(4), u16(65535)}));
  write_seed(dir, "error-8", cat({u16(5), u16(8), str("User aborted the transfer"), {0}}));
  write_seed(dir, "error-1", cat({u16(5), u16(1), str("File not found"), {0}}));
  write_seed(dir, "oack", tftp(6, {"tsize", "46909", "blksize", "1468", "windowsize", "4"}));
  write_seed(dir, "data-1", cat({u16(3), u16(1), str("#!ipxe\nchain boot.ipxe\n")}));
}

// ---------------------------------------------------------------------------------------------
// HTTP: 8-byte big-endian file size, then target, Range, If-Range, method, Connection, version,
// body, separated by '\n' (see http_target_fuzz.cc).

Bytes http(std::uint64_t size, std::initializer_list<std::string_view> fields) {
  Bytes b;
  put32(b, static_cast<std::uint32_t>(size >> 32));
  put32(b, static_cast<std::uint32_t>(size));
  bool first = true;
  for (std::string_view f : fields) {
    if (!first) b.push_back('\n');
    first = false;
    b.insert(b.end(), f.begin(), f.end());
  }
  return b;
}

void http_seeds(const fs::path& dir) {
  const char* kLastModified = "Tue, 14 Nov 2023 22:13:20 GMT";  // the target's mtime
  write_seed(dir, "ipxe-kernel", http(14'000'000, {"/boot/vmlinuz"}));
  write_seed(dir, "efi-http-boot", http(1'048'576, {"/ipxe.efi", "", "", "GET", "", "11"}));
  write_seed(dir, "efi-http-boot-head", http(1'048'576, {"/ipxe.efi", "", "", "HEAD"}));
  write_seed(dir, "range-first-kb", http(1'000'000, {"/images/disk.img", "bytes=0-1023"}));
  write_seed(dir, "range-open", http(1'000'000, {"/images/disk.img", "bytes=1000-"}));
  write_seed(dir, "range-suffix", http(1'000'000, {"/images/disk.img", "bytes=-500"}));
  write_seed(dir, "range-several", http(1'000'000, {"/images/disk.img", "bytes=0-1, 5-6"}));
  write_seed(dir, "range-past-end", http(100, {"/small.txt", "bytes=200-300"}));
  write_seed(
      dir, "range-huge",
      http(~std::uint64_t{0}, {"/x", "Bytes = 18446744073709551615-99999999999999999999999"}));
  write_seed(dir, "range-empty-file", http(0, {"/empty", "bytes=-1"}));
  write_seed(dir, "if-range-match", http(5000, {"/initrd.img", "bytes=100-199", kLastModified}));
  write_seed(dir, "if-range-stale",
             http(5000, {"/initrd.img", "bytes=100-199", "Mon, 13 Nov 2023 00:00:00 GMT"}));
  write_seed(
      dir, "absolute-form",
      http(4096, {"http://198.18.0.1:8080/a%20b/c.efi?arch=7#frag", "", "", "GET", "close"}));
  write_seed(dir, "absolute-no-path", http(4096, {"HTTPS://host?q"}));
  write_seed(dir, "traversal", http(1, {"/../../etc/passwd"}));
  write_seed(dir, "traversal-escaped", http(1, {"/%2e%2e/%2E%2E/etc/passwd"}));
  write_seed(dir, "traversal-backslash", http(1, {"/boot\\..\\..\\secret"}));
  write_seed(dir, "escape-nul", http(1, {"/a%00b.efi"}));
  write_seed(dir, "escape-crlf", http(1, {"/a%0d%0aSet-Cookie:%20x"}));
  write_seed(dir, "escape-broken", http(1, {"/a%zz/b%2"}));
  write_seed(dir, "asterisk-options", http(0, {"*", "", "", "OPTIONS"}));
  write_seed(dir, "http10-keep-alive", http(10, {"/x.cfg", "", "", "GET", "Keep-Alive", "10"}));
  write_seed(dir, "post-with-body", http(10, {"/x.cfg", "", "", "POST", "", "11", "1"}));
  write_seed(dir, "head-with-body", http(10, {"/x.cfg", "", "", "HEAD", "", "11", "1"}));
  write_seed(dir, "http2", http(10, {"/x.cfg", "", "", "GET", "", "200"}));
  write_seed(dir, "missing", http(10, {"/nothing.missing"}));
  write_seed(dir, "denied", http(10, {"/dir.denied"}));
  write_seed(dir, "io-error", http(10, {"/disk.broken"}));
  write_seed(dir, "root", http(10, {"/"}));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTDIR\n", argv[0]);
    return 2;
  }
  fs::path out = argv[1];
  dhcp_seeds(out / "dhcp_decode");
  tftp_seeds(out / "tftp_decode");
  http_seeds(out / "http_target");
  std::printf("wrote %d seeds under %s\n", g_written, out.c_str());
  return g_failed ? 1 : 0;
}
