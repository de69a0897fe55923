#include "config/loader.h"

#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cctype>
#include <cstring>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <memory>

#include <fmt/format.h>
#include <toml++/toml.h>

#include "boot/arch_table.h"
#include "boot/policy.h"
#include "boot/render.h"
#include "config/option_encoding.h"
#include "config/validate.h"

namespace pxed::config {

namespace {

std::string join(std::string_view scope, std::string_view key) {
  return scope.empty() ? std::string(key) : fmt::format("{}.{}", scope, key);
}

constexpr std::string_view kPortRange = "a port from 1 to 65535";

std::string indexed(std::string_view path, std::size_t i) {
  return fmt::format("{}[{}]", path, i);
}

// What a value is, for "got ..." in messages.
std::string describe(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::string:
      return fmt::format("\"{}\"", n.as_string()->get());
    case toml::node_type::integer:
      return fmt::format("{}", n.as_integer()->get());
    case toml::node_type::floating_point:
      return fmt::format("{}", n.as_floating_point()->get());
    case toml::node_type::boolean:
      return n.as_boolean()->get() ? "true" : "false";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::table:
      return "a table";
    default:
      return "a date or time";
  }
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// The closest candidate to a misspelt key, if one is close enough to be what was meant.
template <class Range>
std::optional<std::string_view> closest(std::string_view key, const Range& candidates) {
  std::optional<std::string_view> best;
  std::size_t best_distance = std::max<std::size_t>(2, key.size() / 3) + 1;
  for (std::string_view c : candidates) {
    std::size_t d = edit_distance(key, c);
    if (d < best_distance) best = c, best_distance = d;
  }
  return best;
}

std::optional<Ipv4Network> parse_network(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto ip = Ipv4::parse(text.substr(0, slash));
  std::string_view len = text.substr(slash + 1);
  unsigned prefix = 0;
  auto [p, ec] = std::from_chars(len.data(), len.data() + len.size(), prefix);
  if (!ip || len.empty() || ec != std::errc() || p != len.data() + len.size() || prefix > 32) {
    return std::nullopt;
  }
  std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  return Ipv4Network{*ip, Ipv4(mask)};
}

std::optional<std::pair<std::uint16_t, std::uint16_t>> parse_port_range(std::string_view text) {
  auto dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  auto port = [](std::string_view p) -> std::optional<std::uint16_t> {
    unsigned v = 0;
    auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
    if (ec != std::errc() || end != p.data() + p.size() || v < 1 || v > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(v);
  };
  auto first = port(text.substr(0, dash));
  auto last = port(text.substr(dash + 1));
  if (!first || !last || *first > *last) return std::nullopt;
  return std::pair{*first, *last};
}

std::optional<AddressRange> parse_range(std::string_view text, bool single_allowed) {
  auto dash = text.find('-');
  if (dash == std::string_view::npos) {
    if (!single_allowed) return std::nullopt;
    auto ip = Ipv4::parse(text);
    if (!ip) return std::nullopt;
    return AddressRange{*ip, *ip};
  }
  auto start = Ipv4::parse(text.substr(0, dash));
  auto end = Ipv4::parse(text.substr(dash + 1));
  if (!start || !end) return std::nullopt;
  return AddressRange{*start, *end};
}

class Loader {
 public:
  explicit Loader(std::string_view name) : file_(name) {
    config_.source = std::string(name);
    sources_.set("", SourcePos{file_, 1, 1});
  }

  void load(const toml::table& root) {
    check_keys(root, "", {"interfaces", "root", "dhcp", "tftp", "http", "boot", "api"});
    if (auto names = strings(root, "interfaces", "")) config_.interfaces = std::move(*names);
    string(root, "root", "", config_.root);
    if (const toml::table* t = table(root, "dhcp", "")) dhcp(*t);
    if (const toml::table* t = table(root, "tftp", "")) tftp(*t);
    if (const toml::table* t = table(root, "http", "")) http(*t);
    if (const toml::table* t = table(root, "boot", "")) boot(*t);
    if (const toml::table* t = table(root, "api", "")) api(*t);
  }

  // A file named in the config: relative to the config file's directory.
  std::string beside_config(const std::string& file) const {
    if (file.starts_with('/')) return file;
    auto slash = file_.rfind('/');
    return slash == std::string::npos ? file : file_.substr(0, slash + 1) + file;
  }

  void api(const toml::table& t) {
    const std::string_view s = "api";
    check_keys(t, s, {"token", "token-file", "listen"});
    string(t, "token", s, config_.api.token);
    std::string listen;
    if (string(t, "listen", s, listen)) {
      config_.api.listen = parse_listen_address(listen);
      if (!config_.api.listen) {
        bad_value(*get(t, "listen", s), "api.listen",
                  "\"ADDRESS:PORT\" with an IPv4 address and a port from 1 to 65535, such as "
                  "\"127.0.0.1:8081\"");
      }
    }
    std::string file;
    if (!string(t, "token-file", s, file)) return;
    const toml::node& where = *get(t, "token-file", s);
    if (!config_.api.token.empty()) {
      bad_value(where, "api.token-file", "either api.token or api.token-file, not both");
      return;
    }
    const std::string full = beside_config(file);
    const std::optional<std::string> token = read_token_file(full);
    if (!token) {
      error(where.source(), "api.token-file",
            fmt::format("cannot read {}: {}", full, std::strerror(errno)));
      return;
    }
    const std::string& line = *token;
    if (line.empty()) {
      bad_value(where, "api.token-file", "a file whose first line is the token (it is empty)");
      return;
    }
    config_.api.token = line;
  }

  void syntax_error(const toml::source_region& where, std::string_view description) {
    std::string text(description);
    if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z')
      text[0] = static_cast<char>(text[0] - 'A' + 'a');
    errors_.push_back(ConfigError{pos(where), fmt::format("invalid TOML: {}", text)});
  }

  Config& config() { return config_; }
  SourceMap& sources() { return sources_; }
  ConfigErrors& errors() { return errors_; }

 private:
  SourcePos pos(const toml::source_region& r) const {
    return SourcePos{file_, static_cast<int>(r.begin.line), static_cast<int>(r.begin.column)};
  }

  void error(const toml::source_region& where, std::string_view path, std::string message) {
    errors_.push_back(ConfigError{pos(where), fmt::format("{}: {}", path, message)});
  }

  // A value that could not be used: reported, and validate() told to leave it alone.
  void bad_value(const toml::node& n, const std::string& path, std::string_view expected) {
    error(n.source(), path, fmt::format("expected {}, got {}", expected, describe(n)));
    sources_.mark_invalid(path);
  }

  void check_keys(const toml::table& t, std::string_view scope,
                  std::initializer_list<std::string_view> allowed) {
    for (auto&& [k, v] : t) {
      std::string_view key = k.str();
      bool known = false;
      for (std::string_view a : allowed) known = known || a == key;
      if (known) continue;
      std::string message = "unknown key";
      if (auto guess = closest(key, allowed))
        message += fmt::format("; did you mean \"{}\"?", *guess);
      error(k.source(), join(scope, key), message);
    }
  }

  // The node under key, its position recorded under scope.key; nullptr if absent.
  const toml::node* get(const toml::table& t, std::string_view key, std::string_view scope) {
    const toml::node* n = t.get(key);
    if (n) sources_.set(join(scope, key), pos(n->source()));
    return n;
  }

  const toml::table* table(const toml::table& t, std::string_view key, std::string_view scope) {
    const toml::node* n = get(t, key, scope);
    if (!n) return nullptr;
    if (!n->is_table()) {
      bad_value(*n, join(scope, key), fmt::format("a table [{}]", join(scope, key)));
      return nullptr;
    }
    return n->as_table();
  }

  // [[scope.key]] tables.
  std::vector<const toml::table*> tables(const toml::table& t, std::string_view key,
                                         std::string_view scope) {
    std::vector<const toml::table*> out;
    const toml::node* n = get(t, key, scope);
    if (!n) return out;
    std::string path = join(scope, key);
    const toml::array* a = n->as_array();
    if (!a || !a->is_array_of_tables()) {
      bad_value(*n, path, fmt::format("tables written [[{}]]", path));
      return out;
    }
    for (const toml::node& e : *a) out.push_back(e.as_table());
    return out;
  }

  // An integer that fits T. expected: what validate() will require of it, for the message when
  // it does not even fit ("8 to 65464 bytes"); default "an integer from 0 to MAX".
  template <class T>
  std::optional<T> integer(const toml::table& t, std::string_view key, std::string_view scope,
                           std::string_view expected = {}) {
    const toml::node* n = get(t, key, scope);
    if (!n) return std::nullopt;
    std::string path = join(scope, key);
    const auto* v = n->as_integer();
    constexpr auto max = std::numeric_limits<T>::max();
    if (!v || v->get() < 0 || static_cast<std::uint64_t>(v->get()) > std::uint64_t{max}) {
      bad_value(
          *n, path,
          expected.empty() ? fmt::format("an integer from 0 to {}", max) : std::string(expected));
      return std::nullopt;
    }
    return static_cast<T>(v->get());
  }

  template <class T>
  void integer(const toml::table& t, std::string_view key, std::string_view scope, T& out,
               std::string_view expected = {}) {
    if (auto v = integer<T>(t, key, scope, expected)) out = *v;
  }

  template <class T>
  void integer(const toml::table& t, std::string_view key, std::string_view scope,
               std::optional<T>& out, std::string_view expected = {}) {
    if (auto v = integer<T>(t, key, scope, expected)) out = *v;
  }

  template <class B>
  void boolean(const toml::table& t, std::string_view key, std::string_view scope, B& out) {
    const toml::node* n = get(t, key, scope);
    if (!n) return;
    if (const auto* v = n->as_boolean()) {
      out = v->get();
    } else {
      bad_value(*n, join(scope, key), "true or false");
    }
  }

  bool string(const toml::table& t, std::string_view key, std::string_view scope,
              std::string& out) {
    const toml::node* n = get(t, key, scope);
    if (!n) return false;
    if (const auto* v = n->as_string()) {
      out = v->get();
      return true;
    }
    bad_value(*n, join(scope, key), "a string");
    return false;
  }

  // A string or an array of strings; element positions recorded as scope.key[i].
  std::optional<std::vector<std::string>> strings(const toml::table& t, std::string_view key,
                                                  std::string_view scope) {
    std::vector<const toml::node*> nodes = string_nodes(t, key, scope);
    if (nodes.empty()) return std::nullopt;
    std::vector<std::string> out;
    for (const toml::node* n : nodes) out.push_back(n ? n->as_string()->get() : std::string());
    return out;
  }

  // The string nodes of a string-or-array value; a nullptr stands for an element that is not a
  // string (reported). Empty if absent or not a string or array (reported).
  std::vector<const toml::node*> string_nodes(const toml::table& t, std::string_view key,
                                              std::string_view scope) {
    std::vector<const toml::node*> out;
    const toml::node* n = get(t, key, scope);
    if (!n) return out;
    std::string path = join(scope, key);
    if (n->is_string()) {
      sources_.set(indexed(path, 0), pos(n->source()));
      out.push_back(n);
    } else if (const toml::array* a = n->as_array()) {
      for (std::size_t i = 0; i < a->size(); ++i) {
        const toml::node& e = *a->get(i);
        std::string element = indexed(path, i);
        sources_.set(element, pos(e.source()));
        if (e.is_string()) {
          out.push_back(&e);
        } else {
          bad_value(e, element, "a string");
          out.push_back(nullptr);
        }
      }
    } else {
      bad_value(*n, path, "a string or an array of strings");
    }
    return out;
  }

  void lease_times(const toml::table& t, std::string_view scope, std::uint32_t* lease,
                   std::optional<std::uint32_t>* optional_lease,
                   std::optional<std::uint32_t>& renew, std::optional<std::uint32_t>& rebind) {
    const std::string lease_range = fmt::format("{} to {} seconds", kMinLeaseTime, kMaxLeaseTime);
    if (lease) integer(t, "lease-time", scope, *lease, lease_range);
    if (optional_lease) integer(t, "lease-time", scope, *optional_lease, lease_range);
    integer(t, "renew-time", scope, renew, "a number of seconds (0 to 4294967295)");
    integer(t, "rebind-time", scope, rebind, "a number of seconds (0 to 4294967295)");
  }

  void dhcp(const toml::table& t) {
    const std::string_view s = "dhcp";
    check_keys(t, s,
               {"enabled", "mode", "lease-time", "renew-time", "rebind-time", "authoritative",
                "offer-hold", "decline-quarantine", "conflict-detection", "expired-lease-retention",
                "rate-limit-per-mac", "lease-db", "ipv6-router-advertisement", "options",
                "subnet"});
    DhcpConfig& d = config_.dhcp;
    boolean(t, "enabled", s, d.enabled);
    if (std::string mode; string(t, "mode", s, mode)) {
      if (mode == "proxy" || mode == "server") {
        d.proxy = mode == "proxy";
      } else {
        bad_value(*t.get("mode"), "dhcp.mode", "\"server\" or \"proxy\"");
      }
    }
    lease_times(t, s, &d.lease_time, nullptr, d.renew_time, d.rebind_time);
    boolean(t, "authoritative", s, d.authoritative);
    integer(t, "offer-hold", s, d.offer_hold, fmt::format("1 to {} seconds", kMaxOfferHold));
    integer(t, "decline-quarantine", s, d.decline_quarantine,
            fmt::format("0 to {} seconds", kMaxLeaseTime));
    boolean(t, "conflict-detection", s, d.conflict_detection);
    if (const toml::node* n = get(t, "ipv6-router-advertisement", s)) {
      // true and false are kept from when this was a switch: true answers everyone.
      const auto* text = n->as_string();
      const auto mode = text ? net::parse_ra_mode(text->get()) : std::nullopt;
      if (const auto* b = n->as_boolean()) {
        d.ipv6_router_advertisement = b->get() ? net::RaMode::all : net::RaMode::off;
      } else if (mode) {
        d.ipv6_router_advertisement = *mode;
      } else {
        bad_value(*n, "dhcp.ipv6-router-advertisement", "\"pxe-clients\", \"all\" or \"off\"");
      }
    }
    integer(t, "expired-lease-retention", s, d.expired_lease_retention,
            fmt::format("0 to {} seconds", kMaxLeaseTime));
    integer(t, "rate-limit-per-mac", s, d.rate_limit_per_mac);
    string(t, "lease-db", s, d.lease_db);
    if (const toml::table* o = table(t, "options", s)) d.options = options(*o, "dhcp.options");
    std::vector<const toml::table*> subnets = tables(t, "subnet", s);
    for (std::size_t i = 0; i < subnets.size(); ++i) {
      d.subnets.push_back(subnet(*subnets[i], indexed("dhcp.subnet", i)));
    }
  }

  Subnet subnet(const toml::table& t, const std::string& p) {
    Subnet s;
    s.pos = pos(t.source());
    sources_.set(p, s.pos);
    check_keys(t, p,
               {"network", "interfaces", "pools", "exclude", "match-mac-only", "lease-time",
                "renew-time", "rebind-time", "authoritative", "options", "reservation"});
    std::string network;
    if (string(t, "network", p, network)) {
      if (auto n = parse_network(network)) {
        s.network = *n;
      } else {
        bad_value(*t.get("network"), p + ".network", "NETWORK/PREFIX like \"198.18.0.0/24\"");
      }
    } else if (!t.contains("network")) {
      error(t.source(), p, "missing key network = \"NETWORK/PREFIX\"");
      sources_.mark_invalid(p + ".network");
    } else {
      sources_.mark_invalid(p + ".network");
    }
    if (auto names = strings(t, "interfaces", p)) s.interfaces = std::move(*names);
    s.pools = ranges(t, "pools", p, false);
    s.exclusions = ranges(t, "exclude", p, true);
    boolean(t, "match-mac-only", p, s.match_mac_only);
    lease_times(t, p, nullptr, &s.lease_time, s.renew_time, s.rebind_time);
    boolean(t, "authoritative", p, s.authoritative);
    if (const toml::table* o = table(t, "options", p)) s.options = options(*o, p + ".options");
    std::vector<const toml::table*> list = tables(t, "reservation", p);
    for (std::size_t k = 0; k < list.size(); ++k) {
      s.reservations.push_back(reservation(*list[k], indexed(p + ".reservation", k)));
    }
    return s;
  }

  std::vector<AddressRange> ranges(const toml::table& t, std::string_view key, const std::string& p,
                                   bool single_allowed) {
    std::vector<AddressRange> out;
    std::vector<const toml::node*> nodes = string_nodes(t, key, p);
    std::string path = join(p, key);
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      std::optional<AddressRange> r;
      if (nodes[i]) {
        r = parse_range(nodes[i]->as_string()->get(), single_allowed);
        if (!r) {
          bad_value(*nodes[i], indexed(path, i),
                    single_allowed ? "an IPv4 address or START-END with two IPv4 addresses"
                                   : "START-END with two IPv4 addresses");
        }
      }
      out.push_back(r.value_or(AddressRange{}));  // placeholders keep the indexes of the file
    }
    return out;
  }

  Reservation reservation(const toml::table& t, const std::string& p) {
    Reservation r;
    r.pos = pos(t.source());
    sources_.set(p, r.pos);
    check_keys(t, p, {"mac", "client-id", "address", "hostname", "boot-file", "options"});
    std::string text;
    if (string(t, "mac", p, text)) {
      if (auto mac = MacAddress::parse(text)) {
        r.mac = *mac;
      } else {
        bad_value(*t.get("mac"), p + ".mac", "a MAC address like \"52:54:00:12:34:56\"");
      }
    } else if (t.contains("mac")) {
      sources_.mark_invalid(p + ".mac");
    }
    if (string(t, "client-id", p, text)) {
      auto id = parse_byte_string(text);
      if (id && !id->empty()) {
        r.client_id = std::move(*id);
      } else {
        bad_value(*t.get("client-id"), p + ".client-id",
                  "hex bytes like \"01:52:54:00:12:34:56\" or \"text:...\"");
      }
    } else if (t.contains("client-id")) {
      sources_.mark_invalid(p + ".client-id");
    }
    if (string(t, "address", p, text)) {
      if (auto ip = Ipv4::parse(text)) {
        r.address = *ip;
      } else {
        bad_value(*t.get("address"), p + ".address", "an IPv4 address");
      }
    } else if (t.contains("address")) {
      sources_.mark_invalid(p + ".address");
    }
    string(t, "hostname", p, r.hostname);
    string(t, "boot-file", p, r.boot_file);
    if (const toml::table* o = table(t, "options", p)) r.options = options(*o, p + ".options");
    return r;
  }

  std::vector<OptionValue> options(const toml::table& t, const std::string& scope) {
    std::vector<OptionValue> out;
    for (auto&& [k, v] : t) {
      std::string_view key = k.str();
      std::string path = join(scope, key);
      auto def = parse_option_key(key);
      if (!def) {
        std::string message = def.error();
        if (key.find_first_of("0123456789") != 0 && !key.starts_with("option-") &&
            !dhcp::find_option_def(key)) {
          std::vector<std::string_view> names;
          for (const dhcp::OptionDef& d : dhcp::option_defs()) names.push_back(d.name);
          if (auto guess = closest(key, names))
            message += fmt::format("; did you mean \"{}\"?", *guess);
        }
        error(k.source(), path, message);
        continue;
      }
      OptionInput input;
      std::vector<const toml::node*> elements;
      bool usable = true;
      auto scalar = [&](const toml::node& n) -> std::optional<OptionScalar> {
        if (const auto* i = n.as_integer()) return OptionScalar{i->get()};
        if (const auto* s = n.as_string()) return OptionScalar{s->get()};
        return std::nullopt;
      };
      if (const toml::array* a = v.as_array()) {
        input.is_array = true;
        for (std::size_t i = 0; i < a->size(); ++i) {
          const toml::node& e = *a->get(i);
          elements.push_back(&e);
          if (auto sc = scalar(e)) {
            input.items.push_back(std::move(*sc));
          } else {
            error(e.source(), indexed(path, i),
                  fmt::format("expected {}, got {}", describe_type(def->type), describe(e)));
            usable = false;
          }
        }
      } else if (auto sc = scalar(v)) {
        input.items.push_back(std::move(*sc));
      } else {
        error(v.source(), path,
              fmt::format("expected {}, got {}", describe_type(def->type), describe(v)));
        usable = false;
      }
      if (!usable) continue;
      auto data = encode_option(def->type, input);
      if (!data) {
        const EncodeError& e = data.error();
        bool at_item = e.item && *e.item < elements.size();
        error(at_item ? elements[*e.item]->source() : v.source(),
              at_item ? indexed(path, *e.item) : path, e.message);
        continue;
      }
      SourcePos where = pos(v.source());
      sources_.set(join(scope, def->name), where);
      out.push_back(OptionValue{def->code, std::move(*data), where});
    }
    return out;
  }

  void tftp(const toml::table& t) {
    const std::string_view s = "tftp";
    check_keys(t, s,
               {"enabled", "port", "max-blksize", "max-windowsize", "max-transfers",
                "max-transfers-per-client", "port-range", "remap", "upload-dir",
                "max-upload-size", "threads"});
    boolean(t, "enabled", s, config_.tftp.enabled);
    integer(t, "port", s, config_.tftp.port, kPortRange);
    integer(t, "max-blksize", s, config_.tftp.max_blksize,
            fmt::format("{} to {} bytes", kMinBlksize, kMaxBlksize));
    integer(t, "max-windowsize", s, config_.tftp.max_windowsize,
            fmt::format("1 to {} blocks", kMaxWindowsize));
    integer(t, "max-transfers", s, config_.tftp.max_transfers);
    integer(t, "max-transfers-per-client", s, config_.tftp.max_transfers_per_client);
    integer(t, "threads", s, config_.tftp.threads, "0 (one per CPU) to 64");
    if (std::string text; string(t, "port-range", s, text)) {
      config_.tftp.port_range = parse_port_range(text);
      if (!config_.tftp.port_range) {
        bad_value(*get(t, "port-range", s), "tftp.port-range",
                  "FIRST-LAST with two ports from 1 to 65535, FIRST <= LAST");
      }
    }
    string(t, "upload-dir", s, config_.tftp.upload_dir);
    integer(t, "max-upload-size", s, config_.tftp.max_upload_size);
    std::vector<const toml::table*> rules = tables(t, "remap", s);
    for (std::size_t i = 0; i < rules.size(); ++i) {
      const std::string p = indexed("tftp.remap", i);
      const toml::table& r = *rules[i];
      RemapRule rule;
      rule.pos = pos(r.source());
      sources_.set(p, rule.pos);
      check_keys(r, p, {"match", "replace", "ignore-case", "last"});
      if (!string(r, "match", p, rule.match) && !r.contains("match")) {
        error(r.source(), p + ".match", "a regular expression is required");
      }
      if (!string(r, "replace", p, rule.replace) && !r.contains("replace")) {
        error(r.source(), p + ".replace", "the replacement is required (it may be \"\")");
      }
      boolean(r, "ignore-case", p, rule.ignore_case);
      boolean(r, "last", p, rule.last);
      config_.tftp.remap.push_back(std::move(rule));
    }
  }

  void http(const toml::table& t) {
    const std::string_view s = "http";
    check_keys(t, s,
               {"enabled", "port", "max-connections", "max-requests-per-connection",
                "idle-timeout", "header-timeout", "threads"});
    boolean(t, "enabled", s, config_.http.enabled);
    integer(t, "port", s, config_.http.port, kPortRange);
    if (auto v = integer<std::uint32_t>(t, "max-connections", s)) config_.http.max_connections = *v;
    integer(t, "max-requests-per-connection", s, config_.http.max_requests_per_connection);
    constexpr std::string_view kThreads = "0 (min(CPUs, 4)) to 64";
    if (auto v = integer<std::uint32_t>(t, "threads", s, kThreads); v && *v > 64) {
      bad_value(*get(t, "threads", s), join(s, "threads"), kThreads);
    } else if (v) {
      config_.http.threads = *v;
    }
    for (auto [key, out] : {std::pair{"idle-timeout", &config_.http.idle_timeout},
                            std::pair{"header-timeout", &config_.http.header_timeout}}) {
      constexpr std::string_view kSeconds = "1 to 3600 seconds";
      auto v = integer<std::uint32_t>(t, key, s, kSeconds);
      if (v && (*v < 1 || *v > 3600)) {
        bad_value(*get(t, key, s), join(s, key), kSeconds);
      } else if (v) {
        *out = *v;
      }
    }
  }

  void boot(const toml::table& t) {
    const std::string_view s = "boot";
    check_keys(t, s, {"ipxe-boot-file", "files", "default-profile", "profile", "rule"});
    string(t, "ipxe-boot-file", s, config_.boot.ipxe_boot_file);
    boot_profiles(t);
    boot_rules(t);
    if (string(t, "default-profile", s, config_.boot.default_profile)) {
      if (!has_profile(config_.boot.default_profile)) {
        error(t.get("default-profile")->source(), "boot.default-profile",
              fmt::format("no [[boot.profile]] is named \"{}\"{}", config_.boot.default_profile,
                          profile_names()));
      }
    }
    boot_files(t);
  }

  bool has_profile(std::string_view name) const {
    for (const auto& p : config_.boot.profiles) {
      if (p.name == name) return true;
    }
    return false;
  }

  std::string profile_names() const {
    std::string names;
    for (const auto& p : config_.boot.profiles) names += (names.empty() ? "" : ", ") + p.name;
    return names.empty() ? "; none is configured" : "; configured: " + names;
  }

  void boot_files(const toml::table& t) {
    const std::string_view s = "boot";
    const toml::table* files = table(t, "files", s);
    if (!files) return;
    // Keywords first, then numbers: "9 = ..." overrides what "efi64 = ..." gave code 9.
    std::map<std::uint16_t, std::string> explicit_codes;  // code -> the key that set it
    for (bool numbers : {false, true}) {
      for (auto&& [k, v] : *files) {
        std::string_view key = k.str();
        bool is_number = !key.empty() && key[0] >= '0' && key[0] <= '9';
        if (is_number != numbers) continue;
        std::string path = join("boot.files", key);
        std::uint16_t storage = 0;
        std::span<const std::uint16_t> codes = boot::parse_arch_keyword(key, storage);
        if (codes.empty()) {
          error(k.source(), path,
                "unknown architecture; expected bios, efi32, efi64, arm32, arm64 or an option 93 "
                "number (0 to 65535)");
          continue;
        }
        const auto* file = v.as_string();
        if (!file) {
          bad_value(v, path, "a boot file name or URL");
          continue;
        }
        for (std::uint16_t code : codes) {
          if (numbers) {
            auto [it, fresh] = explicit_codes.emplace(code, std::string(key));
            if (!fresh) {
              error(k.source(), path,
                    fmt::format("architecture {} is already given as \"{}\"", code, it->second));
              continue;
            }
          }
          config_.boot.boot_files[code] = file->get();
          sources_.set(fmt::format("boot.files.{}", code), pos(v.source()));
        }
      }
    }
  }

  // A template given in the config (cmdline, rootfs-url): checked now, so a typo is reported
  // with its place in the file rather than while a machine boots.
  void check_template(const toml::table& t, std::string_view key, const std::string& p,
                      const std::string& text) {
    auto parsed = boot::Template::parse(text, boot::template_names());
    if (!parsed) error(t.get(key)->source(), join(p, key), parsed.error().message);
  }

  // A template file named by a profile: read and parsed now; its errors name the template file.
  std::shared_ptr<const boot::Template> template_file(const toml::node& n, const std::string& path,
                                                      const std::string& file) {
    const std::string full = beside_config(file);
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(full.c_str(), "rb"), &std::fclose);
    if (!f) {
      error(n.source(), path, fmt::format("cannot read {}: {}", full, std::strerror(errno)));
      return nullptr;
    }
    std::string text;
    char buf[8192];
    std::size_t got;
    while ((got = std::fread(buf, 1, sizeof buf, f.get())) > 0) text.append(buf, got);
    auto parsed = boot::Template::parse(text, boot::template_names());
    if (!parsed) {
      // "line N: what" from the parser becomes FILE:N.
      int line = 0;
      std::string message = parsed.error().message;
      if (std::sscanf(message.c_str(), "line %d: ", &line) == 1) {
        message = message.substr(message.find(": ") + 2);
      }
      errors_.push_back(ConfigError{SourcePos{full, line, 0},
                                    fmt::format("{} (the template of {})", message, path)});
      return nullptr;
    }
    return std::make_shared<const boot::Template>(std::move(*parsed));
  }

  void boot_profiles(const toml::table& t) {
    auto list = tables(t, "profile", "boot");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const toml::table& pt = *list[i];
      std::string p = indexed("boot.profile", i);
      sources_.set(p, pos(pt.source()));
      check_keys(pt, p,
                 {"name", "loader", "loader-files", "kernel", "initrds", "cmdline", "rootfs-url",
                  "templates"});
      boot::Profile prof;
      prof.where = fmt::format("{}:{}", file_, pt.source().begin.line);
      if (!string(pt, "name", p, prof.name)) {
        if (!pt.contains("name")) error(pt.source(), p, "a profile needs a name");
      } else if (prof.name.empty() ||
                 prof.name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                             "0123456789._-") != std::string::npos) {
        bad_value(*pt.get("name"), p + ".name", "a name of letters, digits, '.', '_' and '-'");
      } else if (has_profile(prof.name)) {
        error(pt.get("name")->source(), p + ".name",
              fmt::format("another profile is already named \"{}\"", prof.name));
      }
      std::string text;
      if (string(pt, "loader", p, text)) {
        if (auto kind = boot::parse_loader_kind(text)) {
          prof.loader = *kind;
        } else {
          bad_value(*pt.get("loader"), p + ".loader", "\"ipxe\", \"pxelinux\" or \"grub\"");
        }
      }
      if (const toml::table* lf = table(pt, "loader-files", p)) {
        for (auto&& [k, v] : *lf) {
          std::string path = join(p + ".loader-files", k.str());
          std::uint16_t storage = 0;
          auto codes = boot::parse_arch_keyword(k.str(), storage);
          const auto* file = v.as_string();
          if (codes.empty()) {
            error(k.source(), path, "unknown architecture; expected bios, efi64, arm64, ... or an "
                                    "option 93 number");
          } else if (!file) {
            bad_value(v, path, "a boot file name or URL");
          } else {
            for (std::uint16_t c : codes) prof.loader_files[c] = file->get();
          }
        }
      }
      if (!string(pt, "kernel", p, prof.kernel) && !pt.contains("kernel")) {
        error(pt.source(), p, "a profile needs a kernel (a path below the root, or a URL)");
      }
      if (auto initrds = strings(pt, "initrds", p)) prof.initrds = std::move(*initrds);
      if (string(pt, "cmdline", p, prof.cmdline)) check_template(pt, "cmdline", p, prof.cmdline);
      if (string(pt, "rootfs-url", p, prof.rootfs_url)) {
        check_template(pt, "rootfs-url", p, prof.rootfs_url);
      }
      if (const toml::table* tt = table(pt, "templates", p)) {
        std::string tp = p + ".templates";
        check_keys(*tt, tp, {"ipxe", "pxelinux", "grub"});
        for (auto&& [k, v] : *tt) {
          std::string path = join(tp, k.str());
          const auto* file = v.as_string();
          if (!file) {
            bad_value(v, path, "the path of a template file");
            continue;
          }
          auto parsed = template_file(v, path, file->get());
          if (k.str() == "ipxe") prof.ipxe_template = parsed;
          if (k.str() == "pxelinux") prof.pxelinux_template = parsed;
          if (k.str() == "grub") prof.grub_template = parsed;
        }
      }
      config_.boot.profiles.push_back(std::move(prof));
    }
  }

  void boot_rules(const toml::table& t) {
    auto list = tables(t, "rule", "boot");
    for (std::size_t i = 0; i < list.size(); ++i) {
      const toml::table& rt = *list[i];
      std::string p = indexed("boot.rule", i);
      sources_.set(p, pos(rt.source()));
      check_keys(rt, p,
                 {"mac", "mac-prefix", "uuid", "arch", "user-class", "hostname", "labels",
                  "profile"});
      boot::Rule rule;
      rule.where = fmt::format("{} ({}:{})", p, file_, rt.source().begin.line);
      std::string text;
      if (string(rt, "mac", p, text)) {
        if (auto mac = MacAddress::parse(text)) {
          rule.match.mac = *mac;
        } else {
          bad_value(*rt.get("mac"), p + ".mac", "a MAC address like \"52:54:00:12:34:56\"");
        }
      }
      if (string(rt, "mac-prefix", p, text)) {
        auto bytes = parse_byte_string(text);
        if (bytes && !bytes->empty() && bytes->size() <= 6 && !text.starts_with("text:")) {
          rule.match.mac_prefix = std::move(*bytes);
        } else {
          bad_value(*rt.get("mac-prefix"), p + ".mac-prefix",
                    "the first bytes of a MAC address, like \"52:54:00\"");
        }
      }
      if (string(rt, "uuid", p, text)) {
        if (auto uuid = boot::parse_uuid(text)) {
          rule.match.uuid = std::move(*uuid);
        } else {
          bad_value(*rt.get("uuid"), p + ".uuid",
                    "a UUID like \"4c4c4544-0042-3510-8056-b4c04f4a3032\"");
        }
      }
      for (const toml::node* n : string_nodes(rt, "arch", p)) {
        if (!n) continue;
        std::uint16_t storage = 0;
        auto codes = boot::parse_arch_keyword(n->as_string()->get(), storage);
        if (codes.empty()) {
          bad_value(*n, p + ".arch", "bios, efi32, efi64, arm32, arm64, ... or an option 93 number");
        }
        rule.match.arch.insert(rule.match.arch.end(), codes.begin(), codes.end());
      }
      string(rt, "user-class", p, rule.match.user_class);
      string(rt, "hostname", p, rule.match.hostname);
      if (auto labels = strings(rt, "labels", p)) rule.match.labels = std::move(*labels);
      if (string(rt, "profile", p, rule.profile)) {
        if (!has_profile(rule.profile)) {
          error(rt.get("profile")->source(), p + ".profile",
                fmt::format("no [[boot.profile]] is named \"{}\"{}", rule.profile,
                            profile_names()));
        }
      } else if (!rt.contains("profile")) {
        error(rt.source(), p, "a rule needs the profile it gives (profile = \"...\")");
      }
      config_.boot.rules.push_back(std::move(rule));
    }
  }

  std::string file_;
  Config config_;
  SourceMap sources_;
  ConfigErrors errors_;
};

struct Parsed {
  ParsedConfig parsed;
  ConfigErrors errors;
  bool syntax_ok = true;
};

Parsed parse_impl(std::string_view text, std::string_view name) {
  Loader loader(name);
  Parsed out;
#if TOML_EXCEPTIONS
  try {
    toml::table root = toml::parse(text, name);
    loader.load(root);
  } catch (const toml::parse_error& e) {
    loader.syntax_error(e.source(), e.description());
    out.syntax_ok = false;
  }
#else
  toml::parse_result result = toml::parse(text, name);
  if (result) {
    loader.load(result.table());
  } else {
    loader.syntax_error(result.error().source(), result.error().description());
    out.syntax_ok = false;
  }
#endif
  out.parsed.config = std::move(loader.config());
  out.parsed.sources = std::move(loader.sources());
  out.errors = std::move(loader.errors());
  return out;
}

tl::expected<std::string, ConfigErrors> read_file(const std::string& path) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) {
    return tl::unexpected(ConfigErrors{
        ConfigError{SourcePos{path, 0, 0},
                    fmt::format("cannot read the config file: {}", std::strerror(errno))}});
  }
  std::string text;
  char buf[16384];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) text.append(buf, n);
  if (std::ferror(f.get())) {
    return tl::unexpected(ConfigErrors{
        ConfigError{SourcePos{path, 0, 0},
                    fmt::format("cannot read the config file: {}", std::strerror(errno))}});
  }
  return text;
}

}  // namespace

std::optional<std::string> read_token_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::string line;
  std::getline(in, line);
  while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
  return line;
}

std::optional<ListenAddress> parse_listen_address(std::string_view text) {
  const std::size_t colon = text.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  auto address = Ipv4::parse(text.substr(0, colon));
  const std::string_view digits = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (!address || digits.empty() || ec != std::errc() || end != digits.data() + digits.size() ||
      port < 1 || port > 65535) {
    return std::nullopt;
  }
  return ListenAddress{*address, static_cast<std::uint16_t>(port)};
}

tl::expected<ParsedConfig, ConfigErrors> parse_config_string(std::string_view toml,
                                                             std::string_view name) {
  Parsed p = parse_impl(toml, name);
  if (!p.errors.empty()) {
    sort_errors(p.errors);
    return tl::unexpected(std::move(p.errors));
  }
  return std::move(p.parsed);
}

tl::expected<ParsedConfig, ConfigErrors> parse_config_file(const std::string& path) {
  auto text = read_file(path);
  if (!text) return tl::unexpected(std::move(text.error()));
  return parse_config_string(*text, path);
}

tl::expected<Config, ConfigErrors> load_config_string(std::string_view toml,
                                                      std::string_view name) {
  Parsed p = parse_impl(toml, name);
  if (p.syntax_ok) {
    // Validate even after type errors, so one run reports everything; values that failed to
    // load are marked invalid and the rules that depend on them stay quiet.
    ConfigErrors more = validate(p.parsed.config, &p.parsed.sources);
    p.errors.insert(p.errors.end(), std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
  }
  if (!p.errors.empty()) {
    sort_errors(p.errors);
    return tl::unexpected(std::move(p.errors));
  }
  return std::move(p.parsed.config);
}

tl::expected<Config, ConfigErrors> load_config_file(const std::string& path) {
  auto text = read_file(path);
  if (!text) return tl::unexpected(std::move(text.error()));
  return load_config_string(*text, path);
}

}  // namespace pxed::config
