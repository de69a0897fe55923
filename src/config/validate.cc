#include "config/validate.h"

#include <bit>
#include <filesystem>
#include <map>
#include <regex>
#include <set>
#include <string_view>

#include <fmt/format.h>

#include "config/option_encoding.h"
#include "dhcp/options.h"

namespace pxed::config {

namespace {

std::string range_text(const AddressRange& r) {
  return r.start == r.end ? r.start.to_string()
                          : fmt::format("{}-{}", r.start.to_string(), r.end.to_string());
}

bool contiguous(Ipv4 netmask) {
  std::uint32_t inverse = ~netmask.value();
  return (inverse & (inverse + 1)) == 0;
}

std::string network_text(const Ipv4Network& n) {
  return fmt::format("{}/{}", n.address.to_string(), std::popcount(n.netmask.value()));
}

bool overlaps(const AddressRange& a, const AddressRange& b) {
  return a.start <= b.end && b.start <= a.end;
}

bool valid_hostname(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  std::size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
      continue;
    }
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_';
    if (!ok || ++label > 63) return false;
  }
  return true;
}

bool valid_interface_name(std::string_view name) {
  if (name.empty() || name.size() > 15 || name == "." || name == "..") return false;
  for (char c : name) {
    if (c == '/' || c == ':' || c <= ' ' || c == 0x7f) return false;
  }
  return true;
}

std::string option_name(std::uint8_t code) {
  const dhcp::OptionDef* def = dhcp::find_option_def(code);
  return def ? std::string(def->name) : fmt::format("option-{}", code);
}

class Validator {
 public:
  Validator(const Config& config, const SourceMap* sources) : c_(config), sources_(sources) {}

  ConfigErrors run() {
    top_level();
    if (c_.dhcp.enabled) dhcp();
    if (c_.tftp.enabled) tftp();
    if (c_.http.enabled) http();
    boot();
    return std::move(errors_);
  }

 private:
  // An error about path, placed by the source map (the nearest enclosing key it knows), else at
  // own: the position kept in the struct itself, when there is one.
  void error(std::string_view path, std::string message, const SourcePos* own = nullptr,
             bool own_first = false) {
    SourcePos pos;
    if (own_first && own && !own->file.empty()) pos = *own;
    if (sources_ && pos.file.empty()) pos = sources_->find(path);
    if (pos.file.empty() && own) pos = *own;
    errors_.push_back(ConfigError{std::move(pos), fmt::format("{}: {}", path, message)});
  }

  bool invalid(std::string_view path) const { return sources_ && sources_->is_invalid(path); }

  void top_level() {
    if (c_.interfaces.empty()) error("interfaces", "at least one interface to serve is required");
    for (std::size_t i = 0; i < c_.interfaces.size(); ++i) {
      std::string path = fmt::format("interfaces[{}]", i);
      const std::string& name = c_.interfaces[i];
      if (invalid(path)) continue;
      if (!valid_interface_name(name)) {
        error(path, fmt::format("expected an interface name (1 to 15 characters, no '/', ':' or "
                                "spaces), got \"{}\"",
                                name));
      }
      for (std::size_t j = 0; j < i; ++j) {
        if (c_.interfaces[j] == name) {
          error(path, fmt::format("\"{}\" is listed twice", name));
          break;
        }
      }
    }
    if (c_.root.empty()) error("root", "the directory to serve over TFTP and HTTP is required");
  }

  void lease_time(std::string_view path, std::uint32_t seconds) {
    if (seconds < kMinLeaseTime || seconds > kMaxLeaseTime) {
      error(path, fmt::format("expected {} to {} seconds, got {}", kMinLeaseTime, kMaxLeaseTime,
                              seconds));
    }
  }

  // T1 < T2 < lease, checked only when T1 or T2 was given (the defaults always satisfy it).
  // renew_scope / rebind_scope: where the given T1 / T2 was written ("dhcp" or the subnet).
  // Reports only errors about keys under `report` (a subnet does not repeat [dhcp]'s errors).
  void timers(std::string_view lease_path, std::uint32_t lease, std::optional<std::uint32_t> renew,
              std::optional<std::uint32_t> rebind, std::string_view renew_scope,
              std::string_view rebind_scope, std::string_view report) {
    if (!renew && !rebind) return;
    if (lease < kMinLeaseTime || lease > kMaxLeaseTime) return;  // reported already
    std::string renew_path = fmt::format("{}.renew-time", renew_scope);
    std::string rebind_path = fmt::format("{}.rebind-time", rebind_scope);
    if (invalid(renew_path) || invalid(rebind_path) || invalid(lease_path)) return;
    auto report_error = [&](const std::string& path, std::string message) {
      if (path.starts_with(report)) error(path, std::move(message));
    };
    std::uint32_t t1 = renew.value_or(lease / 2);
    auto t2 = rebind.value_or(static_cast<std::uint32_t>(std::uint64_t{lease} * 7 / 8));
    if (renew && *renew == 0) {
      report_error(renew_path, "expected at least 1 second, got 0");
    } else if (rebind && *rebind >= lease) {
      report_error(rebind_path,
                   fmt::format("must be less than the lease time ({} s), got {}", lease, *rebind));
    } else if (t1 >= t2 && renew && rebind) {
      report_error(renew_path,
                   fmt::format("must be less than rebind-time ({} s), got {}", t2, *renew));
    } else if (t1 >= t2 && renew) {
      report_error(renew_path, fmt::format("must be less than the default rebind-time (7/8 of "
                                           "the lease time: {} s), got {}",
                                           t2, *renew));
    } else if (t1 >= t2) {
      report_error(rebind_path, fmt::format("must be more than the default renew-time (half the "
                                            "lease time: {} s), got {}",
                                            t1, *rebind));
    }
  }

  void options(std::string_view scope, const std::vector<OptionValue>& opts) {
    for (std::size_t i = 0; i < opts.size(); ++i) {
      const OptionValue& o = opts[i];
      std::string path = fmt::format("{}.{}", scope, option_name(o.code));
      if (o.code == dhcp::opt::kPad || o.code == dhcp::opt::kEnd || is_server_option(o.code)) {
        error(path, server_option_message(o.code), &o.pos, true);
        continue;
      }
      if (const dhcp::OptionDef* def = dhcp::find_option_def(o.code)) {
        if (auto why = check_option_data(def->type, o.data)) {
          error(path, fmt::format("expected {}: {}", describe_type(def->type), *why), &o.pos, true);
        }
      }
      for (std::size_t j = 0; j < i; ++j) {
        if (opts[j].code == o.code) {
          error(path, fmt::format("option {} is given twice in {}", o.code, scope), &o.pos, true);
          break;
        }
      }
    }
  }

  void dhcp() {
    const DhcpConfig& d = c_.dhcp;
    if (d.proxy) {
      // ProxyDHCP: the site's DHCP server hands out the addresses; pxed has no pool.
      if (!d.subnets.empty()) {
        error("dhcp.subnet[0]",
              "not used with mode = \"proxy\" (the site's DHCP server hands out the addresses); "
              "remove the [[dhcp.subnet]] tables",
              &d.subnets[0].pos, true);
      }
      return;
    }
    if (d.subnets.empty() && !invalid("dhcp.subnet") && !invalid("dhcp.mode")) {
      error("dhcp.subnet", "at least one [[dhcp.subnet]] is required when DHCP is enabled");
    }
    lease_time("dhcp.lease-time", d.lease_time);
    timers("dhcp.lease-time", d.lease_time, d.renew_time, d.rebind_time, "dhcp", "dhcp", "dhcp");
    if (d.offer_hold < 1 || d.offer_hold > kMaxOfferHold) {
      error("dhcp.offer-hold",
            fmt::format("expected 1 to {} seconds, got {}", kMaxOfferHold, d.offer_hold));
    }
    if (d.decline_quarantine > kMaxLeaseTime) {
      error("dhcp.decline-quarantine",
            fmt::format("expected 0 to {} seconds, got {}", kMaxLeaseTime, d.decline_quarantine));
    }
    if (d.expired_lease_retention > kMaxLeaseTime) {
      error("dhcp.expired-lease-retention", fmt::format("expected 0 to {} seconds, got {}",
                                                        kMaxLeaseTime, d.expired_lease_retention));
    }
    if (d.lease_db.empty()) error("dhcp.lease-db", "the lease database path is required");
    options("dhcp.options", d.options);

    for (std::size_t i = 0; i < d.subnets.size(); ++i) subnet(i);
    subnet_overlaps();
    pool_overlaps();
  }

  bool network_ok(std::size_t i) const { return network_ok_.contains(i); }

  void subnet(std::size_t i) {
    const Subnet& s = c_.dhcp.subnets[i];
    std::string p = fmt::format("dhcp.subnet[{}]", i);
    std::string net_path = p + ".network";

    if (!invalid(net_path)) {
      const Ipv4Network& n = s.network;
      if (!contiguous(n.netmask)) {
        error(net_path, fmt::format("netmask {} is not a prefix", n.netmask.to_string()), &s.pos);
      } else if (n.address != n.network()) {
        error(net_path,
              fmt::format("{} is not a network address; the network is {}/{}", network_text(n),
                          n.network().to_string(), std::popcount(n.netmask.value())),
              &s.pos);
      } else if (std::popcount(n.netmask.value()) > 30) {
        error(net_path,
              fmt::format("{} has no addresses to hand out; use a prefix of /30 or shorter",
                          network_text(n)),
              &s.pos);
      } else {
        network_ok_.insert(i);
      }
    }
    bool net_ok = network_ok(i);

    for (std::size_t j = 0; j < s.interfaces.size(); ++j) {
      const std::string& name = s.interfaces[j];
      std::string path = fmt::format("{}.interfaces[{}]", p, j);
      if (invalid(path)) continue;
      bool listed = false;
      for (const std::string& top : c_.interfaces) listed = listed || top == name;
      if (!listed) {
        error(path, fmt::format("interface \"{}\" is not in the top-level interfaces list", name),
              &s.pos);
      }
    }

    if (s.lease_time) lease_time(p + ".lease-time", *s.lease_time);
    if (s.lease_time) {
      timers(p + ".lease-time", *s.lease_time, s.renew_time, s.rebind_time, p, p, p);
    } else if (s.renew_time || s.rebind_time) {
      // The subnet keeps the [dhcp] lease time, and the [dhcp] T1/T2 it does not set itself.
      const DhcpConfig& d = c_.dhcp;
      timers("dhcp.lease-time", d.lease_time, s.renew_time ? s.renew_time : d.renew_time,
             s.rebind_time ? s.rebind_time : d.rebind_time, s.renew_time ? p : "dhcp",
             s.rebind_time ? p : "dhcp", p);
    }

    ranges(p, "pools", s.pools, net_ok ? &s : nullptr, true);
    ranges(p, "exclude", s.exclusions, net_ok ? &s : nullptr, false);
    options(p + ".options", s.options);

    for (std::size_t k = 0; k < s.reservations.size(); ++k) reservation(i, k, net_ok);
  }

  void ranges(const std::string& p, std::string_view key, const std::vector<AddressRange>& list,
              const Subnet* s, bool pool) {
    for (std::size_t j = 0; j < list.size(); ++j) {
      std::string path = fmt::format("{}.{}[{}]", p, key, j);
      if (invalid(path)) continue;
      const AddressRange& r = list[j];
      if (r.start > r.end) {
        error(path,
              fmt::format("{}-{} starts after it ends", r.start.to_string(), r.end.to_string()));
        continue;
      }
      if (pool) ordered_pools_.push_back({path, r});
      if (!s) continue;
      if (!s->network.contains(r.start) || !s->network.contains(r.end)) {
        error(path,
              fmt::format("{} is outside the subnet {}", range_text(r), network_text(s->network)));
      } else if (pool && r.contains(s->network.network())) {
        error(path, fmt::format("{} includes the network address {}", range_text(r),
                                s->network.network().to_string()));
      } else if (pool && r.contains(s->network.broadcast())) {
        error(path, fmt::format("{} includes the broadcast address {}", range_text(r),
                                s->network.broadcast().to_string()));
      }
    }
  }

  void reservation(std::size_t i, std::size_t k, bool net_ok) {
    const Subnet& s = c_.dhcp.subnets[i];
    const Reservation& r = s.reservations[k];
    std::string p = fmt::format("dhcp.subnet[{}].reservation[{}]", i, k);
    bool id_invalid = invalid(p + ".mac") || invalid(p + ".client-id");

    if (!id_invalid) {
      if (r.mac && r.client_id) {
        error(p, "give either mac or client-id, not both", &r.pos);
      } else if (!r.mac && !r.client_id) {
        error(p, "a reservation needs a mac or a client-id to match the client", &r.pos);
      }
    }
    if (r.client_id && r.client_id->empty() && !invalid(p + ".client-id")) {
      error(p + ".client-id", "expected at least one byte", &r.pos);
    }
    if (!r.address && r.hostname.empty() && r.boot_file.empty() && r.options.empty() &&
        !invalid(p + ".address")) {
      error(p, "sets nothing; give address, hostname, boot-file or options", &r.pos);
    }
    if (!r.hostname.empty() && !valid_hostname(r.hostname)) {
      error(p + ".hostname",
            fmt::format("expected a host name (letters, digits, '-', '.'), got \"{}\"", r.hostname),
            &r.pos);
    }
    if (r.address && !invalid(p + ".address")) {
      Ipv4 a = *r.address;
      if (net_ok) {
        if (!s.network.contains(a)) {
          error(p + ".address",
                fmt::format("{} is outside the subnet {}", a.to_string(), network_text(s.network)),
                &r.pos);
        } else if (a == s.network.network()) {
          error(p + ".address",
                fmt::format("{} is the network address of the subnet", a.to_string()), &r.pos);
        } else if (a == s.network.broadcast()) {
          error(p + ".address",
                fmt::format("{} is the broadcast address of the subnet", a.to_string()), &r.pos);
        }
      }
      auto [it, fresh] = addresses_.emplace(a.value(), p);
      if (!fresh) {
        error(p + ".address",
              fmt::format("{} is already reserved by {}", a.to_string(), it->second), &r.pos);
      }
    }
    if (r.mac && !invalid(p + ".mac")) {
      auto [it, fresh] = macs_.emplace(*r.mac, p);
      if (!fresh) {
        error(p + ".mac",
              fmt::format("{} already has a reservation: {}", r.mac->to_string(), it->second),
              &r.pos);
      }
    }
    if (r.client_id && !r.client_id->empty() && !invalid(p + ".client-id")) {
      auto [it, fresh] = client_ids_.emplace(*r.client_id, p);
      if (!fresh) {
        error(p + ".client-id",
              fmt::format("client-id {} already has a reservation: {}", to_hex(*r.client_id, ':'),
                          it->second),
              &r.pos);
      }
    }
    options(p + ".options", r.options);
  }

  void subnet_overlaps() {
    const auto& subnets = c_.dhcp.subnets;
    for (std::size_t j = 0; j < subnets.size(); ++j) {
      if (!network_ok(j)) continue;
      for (std::size_t i = 0; i < j; ++i) {
        if (!network_ok(i)) continue;
        const Ipv4Network& a = subnets[i].network;
        const Ipv4Network& b = subnets[j].network;
        if (a.contains(b.network()) || b.contains(a.network())) {
          error(
              fmt::format("dhcp.subnet[{}].network", j),
              fmt::format("{} overlaps dhcp.subnet[{}] ({})", network_text(b), i, network_text(a)),
              &subnets[j].pos);
          break;
        }
      }
    }
  }

  void pool_overlaps() {
    for (std::size_t j = 0; j < ordered_pools_.size(); ++j) {
      for (std::size_t i = 0; i < j; ++i) {
        if (overlaps(ordered_pools_[i].second, ordered_pools_[j].second)) {
          error(ordered_pools_[j].first,
                fmt::format("{} overlaps {} ({})", range_text(ordered_pools_[j].second),
                            ordered_pools_[i].first, range_text(ordered_pools_[i].second)));
          break;
        }
      }
    }
  }

  void tftp() {
    const TftpConfig& t = c_.tftp;
    if (t.port == 0) error("tftp.port", "expected a port from 1 to 65535, got 0");
    if (t.max_blksize < kMinBlksize || t.max_blksize > kMaxBlksize) {
      error("tftp.max-blksize", fmt::format("expected {} to {} bytes, got {}", kMinBlksize,
                                            kMaxBlksize, t.max_blksize));
    }
    if (t.max_windowsize < 1 || t.max_windowsize > kMaxWindowsize) {
      error("tftp.max-windowsize",
            fmt::format("expected 1 to {} blocks, got {}", kMaxWindowsize, t.max_windowsize));
    }
    for (std::size_t i = 0; i < t.remap.size(); ++i) {
      const std::string p = fmt::format("tftp.remap[{}].match", i);
      if (invalid(p)) continue;
      try {
        std::regex(t.remap[i].match, std::regex::ECMAScript);
      } catch (const std::regex_error& e) {
        error(p, fmt::format("expected an ECMAScript regular expression: {}", e.what()));
      }
    }
    if (!t.upload_dir.empty()) {
      namespace fs = std::filesystem;
      const fs::path up = fs::path(t.upload_dir).lexically_normal();
      const fs::path root = fs::path(c_.root).lexically_normal();
      auto inside = [](const fs::path& p, const fs::path& dir) {
        auto rel = p.lexically_relative(dir);
        return !rel.empty() && *rel.begin() != "..";
      };
      if (!up.is_absolute()) {
        error("tftp.upload-dir", "expected an absolute path, got \"" + t.upload_dir + "\"");
      } else if (!c_.root.empty() && (inside(up, root) || inside(root, up))) {
        error("tftp.upload-dir",
              "expected a directory apart from the served root (uploads are never served), got \"" +
                  t.upload_dir + "\"");
      }
    }
    if (t.max_transfers < 1) error("tftp.max-transfers", "expected at least 1, got 0");
    if (t.max_transfers_per_client < 1) {
      error("tftp.max-transfers-per-client", "expected at least 1, got 0");
    }
    if (t.threads > 64) {
      error("tftp.threads", fmt::format("expected 0 (one per CPU) to 64, got {}", t.threads));
    }
  }

  void http() {
    const HttpConfig& h = c_.http;
    if (h.port == 0) error("http.port", "expected a port from 1 to 65535, got 0");
    if (h.max_connections < 1) error("http.max-connections", "expected at least 1, got 0");
  }

  void boot() {
    for (const auto& [code, file] : c_.boot.boot_files) {
      if (file.empty()) {
        error(fmt::format("boot.files.{}", code),
              "expected a file name or URL, got an empty string");
      }
    }
  }

  const Config& c_;
  const SourceMap* sources_;
  ConfigErrors errors_;
  std::set<std::size_t> network_ok_;
  std::vector<std::pair<std::string, AddressRange>> ordered_pools_;
  std::map<std::uint32_t, std::string> addresses_;
  std::map<MacAddress, std::string> macs_;
  std::map<Bytes, std::string> client_ids_;
};

}  // namespace

ConfigErrors validate(const Config& config, const SourceMap* sources) {
  return Validator(config, sources).run();
}

LeaseTimes lease_times(const DhcpConfig& dhcp) {
  LeaseTimes t;
  t.lease = dhcp.lease_time;
  t.renew = dhcp.renew_time.value_or(t.lease / 2);
  t.rebind = dhcp.rebind_time.value_or(static_cast<std::uint32_t>(std::uint64_t{t.lease} * 7 / 8));
  return t;
}

LeaseTimes lease_times(const DhcpConfig& dhcp, const Subnet& subnet) {
  if (!subnet.lease_time) {
    LeaseTimes t = lease_times(dhcp);
    if (subnet.renew_time) t.renew = *subnet.renew_time;
    if (subnet.rebind_time) t.rebind = *subnet.rebind_time;
    return t;
  }
  LeaseTimes t;
  t.lease = *subnet.lease_time;
  t.renew = subnet.renew_time.value_or(t.lease / 2);
  t.rebind =
      subnet.rebind_time.value_or(static_cast<std::uint32_t>(std::uint64_t{t.lease} * 7 / 8));
  return t;
}

}  // namespace pxed::config
