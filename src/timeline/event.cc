#include "timeline/event.h"

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

namespace pxed::timeline {

namespace {

constexpr std::array<std::string_view, 4> kProtocols = {"dhcp", "tftp", "http", "boot"};
constexpr std::array<std::string_view, 10> kStages = {
    "dhcp_discover", "dhcp_offer", "dhcp_ack", "loader",  "boot_config",
    "kernel",        "initrd",     "rootfs",   "os_dhcp", "other"};
constexpr std::array<std::string_view, 3> kOutcomes = {"ok", "failed", "info"};

template <class E, std::size_t N>
std::optional<E> lookup(const std::array<std::string_view, N>& names, std::string_view text) {
  for (std::size_t i = 0; i < N; ++i) {
    if (names[i] == text) return static_cast<E>(i);
  }
  return std::nullopt;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool starts_with_any(std::string_view s, std::initializer_list<std::string_view> prefixes) {
  for (auto p : prefixes) {
    if (s.starts_with(p)) return true;
  }
  return false;
}

bool ends_with_any(std::string_view s, std::initializer_list<std::string_view> suffixes) {
  for (auto p : suffixes) {
    if (s.ends_with(p)) return true;
  }
  return false;
}

// True if one of the directories on `dir` (slash-separated) is `name`.
bool has_directory(std::string_view dir, std::string_view name) {
  std::size_t start = 0;
  while (start <= dir.size()) {
    std::size_t slash = dir.find('/', start);
    if (slash == std::string_view::npos) slash = dir.size();
    if (dir.substr(start, slash - start) == name) return true;
    start = slash + 1;
  }
  return false;
}

std::string with_decimals(double value, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, value);
  return buf;
}

}  // namespace

std::string_view to_string(Protocol p) {
  return kProtocols.at(static_cast<std::size_t>(p));
}
std::string_view to_string(Stage s) {
  return kStages.at(static_cast<std::size_t>(s));
}
std::string_view to_string(Outcome o) {
  return kOutcomes.at(static_cast<std::size_t>(o));
}
std::optional<Protocol> protocol_from_string(std::string_view text) {
  return lookup<Protocol>(kProtocols, text);
}
std::optional<Stage> stage_from_string(std::string_view text) {
  return lookup<Stage>(kStages, text);
}
std::optional<Outcome> outcome_from_string(std::string_view text) {
  return lookup<Outcome>(kOutcomes, text);
}

std::string_view to_string(DhcpMessage m) {
  switch (m) {
    case DhcpMessage::discover:
      return "discover";
    case DhcpMessage::offer:
      return "offer";
    case DhcpMessage::request:
      return "request";
    case DhcpMessage::decline:
      return "decline";
    case DhcpMessage::ack:
      return "ack";
    case DhcpMessage::nak:
      return "nak";
    case DhcpMessage::release:
      return "release";
    case DhcpMessage::inform:
      return "inform";
  }
  return "unknown";
}

Stage stage_for_file(std::string_view path) {
  std::size_t cut = path.find_first_of("?#");
  std::string p = lower(path.substr(0, cut == std::string_view::npos ? path.size() : cut));
  std::string_view whole = p;
  std::size_t slash = whole.rfind('/');
  std::string_view dir =
      slash == std::string_view::npos ? std::string_view() : whole.substr(0, slash);
  std::string_view name = slash == std::string_view::npos ? whole : whole.substr(slash + 1);

  if (has_directory(dir, "pxelinux.cfg") || name.starts_with("grub.cfg") ||
      ends_with_any(name, {".cfg", ".ipxe", ".conf"})) {
    return Stage::boot_config;
  }
  if (starts_with_any(name, {"vmlinuz", "vmlinux", "bzimage", "linux", "kernel"})) {
    return Stage::kernel;
  }
  if (starts_with_any(name, {"initrd", "initramfs"}) || name.find(".cpio") != std::string::npos) {
    return Stage::initrd;
  }
  if (ends_with_any(name, {".0", ".pxe", ".kpxe", ".kkpxe", ".lkrn", ".efi", ".c32", ".e32", ".e64",
                           ".mod"})) {
    return Stage::loader;
  }
  if (name.starts_with("rootfs") || has_directory(dir, "rootfs") ||
      ends_with_any(name, {".img", ".squashfs", ".sfs", ".iso", ".qcow2", ".raw", ".tar", ".tgz",
                           ".tar.gz", ".tar.xz", ".tar.zst", ".wim"})) {
    return Stage::rootfs;
  }
  return Stage::other;
}

std::string format_size(std::uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  constexpr std::array<std::string_view, 4> kUnits = {"KB", "MB", "GB", "TB"};
  double value = static_cast<double>(bytes) / 1024.0;
  std::size_t unit = 0;
  // Go up a unit when the value would print as 1024 or more in this one.
  while (unit + 1 < kUnits.size() && std::round(value) >= 1024.0) {
    value /= 1024.0;
    ++unit;
  }
  // KB are whole; larger units get a decimal below 100 ("12.5 MB"), none above ("206 MB").
  bool decimal = unit > 0 && std::round(value * 10.0) / 10.0 < 100.0;
  std::string number = decimal ? with_decimals(value, 1) : with_decimals(value, 0);
  return number + " " + std::string(kUnits[unit]);
}

std::string format_duration(double seconds) {
  if (!(seconds > 0)) return "0 s";
  if (seconds < 0.1) {
    double ms = std::round(seconds * 1000.0);
    return with_decimals(ms < 1 ? 1 : ms, 0) + " ms";
  }
  if (std::round(seconds * 10.0) < 100.0) return with_decimals(seconds, 1) + " s";
  auto whole = static_cast<std::int64_t>(std::llround(seconds));
  if (whole < 60) return std::to_string(whole) + " s";
  std::int64_t min = whole / 60, sec = whole % 60;
  return std::to_string(min) + " min" + (sec ? " " + std::to_string(sec) + " s" : "");
}

std::string format_time_ms(std::int64_t unix_ms) {
  using namespace std::chrono;
  sys_time<milliseconds> t{milliseconds(unix_ms)};
  sys_days day = floor<days>(t);
  year_month_day ymd{day};
  hh_mm_ss<milliseconds> hms{t - day};
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d.%03dZ",
                static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()),
                static_cast<int>(hms.subseconds().count()));
  return buf;
}

Event dhcp_event(std::int64_t at_ms, const DhcpFacts& f) {
  Event e;
  e.at_ms = at_ms;
  e.mac = f.mac;
  e.ip = f.address;
  e.protocol = Protocol::dhcp;
  bool booting = f.pxe || f.ipxe;
  std::string addr = f.address.is_zero() ? "" : " " + f.address.to_string();

  if (f.reply) {
    e.summary = "DHCP " + std::string(to_string(*f.reply));
    if (*f.reply == DhcpMessage::nak) {
      e.summary +=
          (f.address.is_zero() ? "" : " for" + addr) + (f.note.empty() ? "" : ": " + f.note);
      e.outcome = Outcome::failed;
      e.stage = Stage::dhcp_ack;
    } else {
      e.summary += addr + (f.boot_file.empty() ? "" : ", boot file " + f.boot_file);
      e.outcome = f.request == DhcpMessage::inform ? Outcome::info : Outcome::ok;
      e.stage = *f.reply == DhcpMessage::offer     ? Stage::dhcp_offer
                : f.request == DhcpMessage::inform ? Stage::other
                                                   : Stage::dhcp_ack;
    }
  } else {
    e.summary = "DHCP " + std::string(to_string(f.request)) + addr;
    switch (f.request) {
      case DhcpMessage::release:
        e.stage = Stage::other;
        e.outcome = Outcome::info;
        break;
      case DhcpMessage::decline:
        e.stage = Stage::dhcp_ack;
        e.outcome = Outcome::failed;
        break;
      default:
        e.summary += " not answered";
        e.stage = f.request == DhcpMessage::discover ? Stage::dhcp_discover
                  : f.request == DhcpMessage::inform ? Stage::other
                                                     : Stage::dhcp_ack;
        e.outcome = booting && f.request == DhcpMessage::discover ? Outcome::failed : Outcome::info;
    }
    if (!f.note.empty()) e.summary += ": " + f.note;
  }
  if (!booting) e.stage = Stage::os_dhcp;

  e.details["request"] = std::string(to_string(f.request));
  if (f.reply) e.details["reply"] = std::string(to_string(*f.reply));
  if (f.arch) e.details["arch"] = std::to_string(*f.arch);
  e.details["client"] = f.ipxe ? "ipxe" : f.pxe ? "firmware" : "os";
  if (!f.boot_file.empty()) e.details["file"] = f.boot_file;
  if (!f.profile.empty()) e.details["profile"] = f.profile;
  if (f.proxy) e.details["proxy"] = "true";
  if (!f.relay.is_zero()) e.details["relay"] = f.relay.to_string();
  if (!f.note.empty()) e.details["note"] = f.note;
  return e;
}

Event tftp_event(std::int64_t at_ms, const TransferFacts& f) {
  Event e;
  e.at_ms = at_ms;
  e.mac = f.mac;
  e.ip = f.client;
  e.protocol = Protocol::tftp;
  e.stage = stage_for_file(f.file);
  e.outcome = f.ok ? Outcome::ok : Outcome::failed;
  if (f.ok) {
    e.summary = "TFTP " + f.file + " " + format_size(f.bytes) + " in " + format_duration(f.seconds);
    std::string opts;
    if (f.blksize) opts += "blksize " + std::to_string(f.blksize);
    if (f.windowsize)
      opts +=
          (opts.empty() ? "" : ", ") + std::string("windowsize ") + std::to_string(f.windowsize);
    if (!opts.empty()) e.summary += " (" + opts + ")";
  } else {
    e.summary = "TFTP " + f.file + ": " + (f.error.empty() ? "failed" : f.error);
  }
  e.details["file"] = f.file;
  e.details["bytes"] = std::to_string(f.bytes);
  e.details["seconds"] = with_decimals(f.seconds, 3);
  if (f.blksize) e.details["blksize"] = std::to_string(f.blksize);
  if (f.windowsize) e.details["windowsize"] = std::to_string(f.windowsize);
  if (!f.error.empty()) e.details["error"] = f.error;
  return e;
}

Event http_event(std::int64_t at_ms, const HttpFacts& f) {
  Event e;
  e.at_ms = at_ms;
  e.mac = f.mac;
  e.ip = f.client;
  e.protocol = Protocol::http;
  e.stage = stage_for_file(f.path);
  e.outcome = f.status < 400 && f.error.empty() ? Outcome::ok : Outcome::failed;
  bool shown_method = !f.method.empty() && f.method != "GET";
  e.summary = "HTTP " + (shown_method ? f.method + " " : std::string()) + f.path + " " +
              std::to_string(f.status);
  if (!f.range.empty()) {
    e.summary += " " + f.range;
  } else if (f.status < 300 && f.bytes > 0) {
    e.summary += " " + format_size(f.bytes) + " in " + format_duration(f.seconds);
  }
  if (!f.error.empty()) e.summary += ": " + f.error;
  e.details["file"] = f.path;
  if (!f.method.empty()) e.details["method"] = f.method;
  e.details["status"] = std::to_string(f.status);
  if (!f.range.empty()) e.details["range"] = f.range;
  e.details["bytes"] = std::to_string(f.bytes);
  e.details["seconds"] = with_decimals(f.seconds, 3);
  if (!f.error.empty()) e.details["error"] = f.error;
  return e;
}

nlohmann::json to_json(const Event& e) {
  nlohmann::json j;
  to_json(j, e);
  return j;
}

void to_json(nlohmann::json& j, const Event& e) {
  bool mac_known = e.mac != MacAddress();
  j = nlohmann::json{
      {"id", e.id},
      {"at", format_time_ms(e.at_ms)},
      {"at_ms", e.at_ms},
      {"mac", mac_known ? nlohmann::json(e.mac.to_string()) : nlohmann::json(nullptr)},
      {"ip", e.ip.is_zero() ? nlohmann::json(nullptr) : nlohmann::json(e.ip.to_string())},
      {"protocol", std::string(to_string(e.protocol))},
      {"stage", std::string(to_string(e.stage))},
      {"outcome", std::string(to_string(e.outcome))},
      {"summary", e.summary},
      {"details", e.details},
  };
}

}  // namespace pxed::timeline
