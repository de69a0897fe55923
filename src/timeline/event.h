// One event of a machine's boot timeline: a DHCP exchange, a TFTP transfer or an HTTP request,
// with the boot stage it shows, its outcome and a one-line sentence, e.g.
//   DHCP offer 198.18.0.135, boot file ipxe.efi
//   TFTP ipxe.efi 850 KB in 0.2 s (blksize 1468, windowsize 4)
//   TFTP pxelinux.cfg/01-52-54-00-e2-e0-01: not found
//   HTTP /rootfs.img 206 0-1048575
// Pure: the builders take plain facts (the daemon maps dhcp::Exchange, TFTP transfer results and
// HTTP request records to them), so this directory depends on no protocol code.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "core/net_types.h"

namespace pxed::timeline {

enum class Protocol : std::uint8_t { dhcp, tftp, http, boot };

// The boot stage an event shows, in the order a network boot goes through them. `other` is not a
// stage of the boot (a file that fits no rule, a DHCP RELEASE...) and never counts as progress.
enum class Stage : std::uint8_t {
  dhcp_discover,  // a boot firmware's DISCOVER, not answered
  dhcp_offer,     // a boot firmware's DISCOVER, answered with an OFFER
  dhcp_ack,       // a boot firmware's REQUEST: address bound (or NAK: failed)
  loader,         // the first-stage loader: pxelinux.0, ipxe.efi, grubnetx64.efi, its modules
  boot_config,    // pxelinux.cfg/..., *.ipxe, grub.cfg: the menu or script
  kernel,         // vmlinuz*, linux*, bzImage...
  initrd,         // initrd*, initramfs*, *.cpio*
  rootfs,         // the root file system or image: rootfs*, *.img, *.squashfs, *.iso...
  os_dhcp,        // a DHCP exchange without PXE/iPXE marks: the booted OS (counts after a kernel)
  other,
};

enum class Outcome : std::uint8_t { ok, failed, info };

std::string_view to_string(Protocol p);
std::string_view to_string(Stage s);
std::string_view to_string(Outcome o);
std::optional<Protocol> protocol_from_string(std::string_view text);
std::optional<Stage> stage_from_string(std::string_view text);
std::optional<Outcome> outcome_from_string(std::string_view text);

// Details by name: file, bytes, seconds, blksize, windowsize, status, range, profile, arch...
using Details = std::map<std::string, std::string>;

struct Event {
  std::int64_t id = 0;     // 0 until the event log stores it; then increasing
  std::int64_t at_ms = 0;  // unix milliseconds
  MacAddress mac;          // all zero if unknown
  Ipv4 ip;                 // the client's address (offered/bound for DHCP); zero if none
  Protocol protocol = Protocol::boot;
  Stage stage = Stage::other;
  Outcome outcome = Outcome::info;
  std::string summary;
  Details details;

  bool operator==(const Event&) const = default;
};

// The stage a fetched file belongs to, by name alone. The query string is dropped, the name is
// compared without case, and the first rule that matches wins:
//   boot_config  a directory "pxelinux.cfg" on the path, or a name starting with "grub.cfg",
//                or ending in .cfg, .ipxe, .conf
//   kernel       a name starting with vmlinuz, vmlinux, bzimage, linux, kernel (linux.efi too)
//   initrd       a name starting with initrd, initramfs, or containing ".cpio"
//   loader       a name ending in .0, .pxe, .kpxe, .kkpxe, .lkrn, .efi, .c32, .e32, .e64, .mod
//   rootfs       a name starting with rootfs or a directory "rootfs" on the path, or a name
//                ending in .img, .squashfs, .sfs, .iso, .qcow2, .raw, .tar, .tgz, .tar.gz,
//                .tar.xz, .tar.zst, .wim
//   other        everything else
Stage stage_for_file(std::string_view path);

// True for stages that show progress of a boot (all but `other`).
constexpr bool is_progress(Stage s) {
  return s != Stage::other;
}

// DHCP message types; the values are option 53's, so the daemon maps dhcp::MessageType by value.
enum class DhcpMessage : std::uint8_t {
  discover = 1,
  offer = 2,
  request = 3,
  decline = 4,
  ack = 5,
  nak = 6,
  release = 7,
  inform = 8,
};
std::string_view to_string(DhcpMessage m);  // lower case: "offer"

struct DhcpFacts {
  MacAddress mac;
  DhcpMessage request = DhcpMessage::discover;
  std::optional<DhcpMessage> reply;   // nothing: no reply was sent
  Ipv4 address;                       // offered or bound (yiaddr), else the one asked about
  std::string boot_file;              // may be a URL; empty if none given
  std::string profile;                // the boot profile that chose it; empty if none
  std::optional<std::uint16_t> arch;  // option 93
  bool pxe = false;                   // a boot firmware: vendor class PXEClient or HTTPClient
  bool ipxe = false;                  // user class iPXE
  bool proxy = false;                 // a ProxyDHCP answer
  Ipv4 relay;                         // giaddr if relayed
  std::string note;                   // why no reply was sent, or a remark
};

// Stage: a DHCP exchange with PXE or iPXE marks is dhcp_discover (DISCOVER not answered),
// dhcp_offer (OFFER), dhcp_ack (REQUEST answered, or NAK, or a DECLINE); other for RELEASE and
// INFORM. Without marks it is os_dhcp. Outcome: failed for NAK, DECLINE and a booting firmware's
// DISCOVER left unanswered; info for other unanswered requests, RELEASE and INFORM; else ok.
Event dhcp_event(std::int64_t at_ms, const DhcpFacts& facts);

struct TransferFacts {
  Ipv4 client;
  MacAddress mac;    // all zero if the caller could not map the client to a MAC
  std::string file;  // as the client asked for it
  std::uint64_t bytes = 0;
  double seconds = 0;
  unsigned blksize = 0;     // 0: not negotiated
  unsigned windowsize = 0;  // 0: not negotiated
  bool ok = true;
  std::string error;  // why it failed: "not found", "timed out after 5 retries"...
};

// "TFTP ipxe.efi 850 KB in 0.2 s (blksize 1468, windowsize 4)" or "TFTP FILE: ERROR".
Event tftp_event(std::int64_t at_ms, const TransferFacts& facts);

struct HttpFacts {
  Ipv4 client;
  MacAddress mac;      // all zero if unknown
  std::string method;  // "GET" is not shown in the summary
  std::string path;    // the target as asked, query included
  int status = 200;
  std::string range;        // "0-1048575" for a 206; empty otherwise
  std::uint64_t bytes = 0;  // body bytes sent
  double seconds = 0;
  std::string error;  // a remark on failure (connection cut...); empty if none
};

// "HTTP /rootfs.img 206 0-1048575", "HTTP /vmlinuz 200 8.5 MB in 0.3 s", "HTTP /x.img 404".
// Outcome: ok below 400 and with no error, else failed.
Event http_event(std::int64_t at_ms, const HttpFacts& facts);

// "512 bytes", "850 KB", "12.5 MB", "206 MB", "1.5 GB" (units of 1024).
std::string format_size(std::uint64_t bytes);
// "12 ms" (below 0.1 s), "0.2 s", "9.9 s", "42 s", "2 min 5 s".
std::string format_duration(double seconds);
// ISO 8601 UTC with milliseconds: "2024-05-01T12:00:00.123Z".
std::string format_time_ms(std::int64_t unix_ms);

// {id, at, at_ms, mac, ip, protocol, stage, outcome, summary, details}; mac and ip are null when
// unknown (all zero).
nlohmann::json to_json(const Event& event);
void to_json(nlohmann::json& j, const Event& event);  // so `nlohmann::json j = event;` works

}  // namespace pxed::timeline
