#include "api/rest_api.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "boot/arch_table.h"
#include "timeline/event.h"

namespace pxed::api {

namespace {

using nlohmann::json;
constexpr std::string_view kPrefix = "/api/";
constexpr std::string_view kV1 = "/api/v1/";
constexpr std::size_t kMaxEvents = 10000;  // one answer's limit, whatever `limit` asks

http::ResponsePlan json_plan(unsigned status, const json& body, const http::Request& request) {
  http::ResponsePlan plan;
  plan.status = status;
  plan.body = body.dump(2) + "\n";
  plan.headers.push_back({"Content-Type", "application/json"});
  plan.headers.push_back({"Content-Length", std::to_string(plan.body.size())});
  plan.headers.push_back({"Cache-Control", "no-store"});
  plan.keep_alive = http::wants_keep_alive(request.version, request.connection);
  return plan;
}

http::ResponsePlan error_plan(unsigned status, const std::string& message,
                              const http::Request& request) {
  http::ResponsePlan plan = json_plan(status, json{{"error", message}}, request);
  if (status == 405) plan.headers.push_back({"Allow", "GET, HEAD"});
  return plan;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string url_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (text[i] == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out += static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2]));
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

// A non-negative integer query parameter; `bad` names it when present but not a number.
std::optional<std::int64_t> number_param(std::string_view query, std::string_view name,
                                         std::string& bad) {
  auto text = query_value(query, name);
  if (!text) return std::nullopt;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
  if (ec != std::errc() || end != text->data() + text->size() || v < 0) {
    bad = fmt::format("{}: expected a non-negative integer, got \"{}\"", name, *text);
    return std::nullopt;
  }
  return v;
}

json lease_json(const lease::Lease& l, std::int64_t now_s) {
  return {{"address", l.address.to_string()},
          {"mac", l.mac.to_string()},
          {"client_key", l.client_key},
          {"hostname", l.hostname},
          {"expires_at", l.expires_at},
          {"active", l.active(now_s)}};
}

json host_json(const boot::HostRecord& h) {
  return {{"mac", h.mac.to_string()},         {"profile", h.profile},
          {"hostname", h.hostname},           {"labels", h.labels},
          {"boot_once", h.boot_once},         {"netbooted_at", h.netbooted_at}};
}

json profile_json(const boot::Profile& p) {
  json files = json::object();
  for (const auto& [arch, file] : p.loader_files) files[std::to_string(arch)] = file;
  return {{"name", p.name},
          {"loader", std::string(boot::to_string(p.loader))},
          {"loader_files", files},
          {"kernel", p.kernel},
          {"initrds", p.initrds},
          {"cmdline", p.cmdline},
          {"rootfs_url", p.rootfs_url},
          {"custom_templates",
           {{"ipxe", p.ipxe_template != nullptr},
            {"pxelinux", p.pxelinux_template != nullptr},
            {"grub", p.grub_template != nullptr}}},
          {"defined_at", p.where}};
}

http::ResponsePlan events(const Sources& s, std::string_view query, const http::Request& request) {
  timeline::Filter f;
  std::string bad;
  if (auto mac = query_value(query, "mac")) {
    auto parsed = MacAddress::parse(*mac);
    if (!parsed) return error_plan(400, "mac: expected aa:bb:cc:dd:ee:ff, got \"" + *mac + "\"", request);
    f.mac = *parsed;
  }
  if (auto v = number_param(query, "since", bad)) f.since_ms = *v;
  if (auto v = number_param(query, "until", bad)) f.until_ms = *v;
  if (auto v = number_param(query, "after", bad)) f.after_id = *v;
  f.limit = 1000;
  if (auto v = number_param(query, "limit", bad)) {
    f.limit = static_cast<std::size_t>(std::min<std::int64_t>(*v, kMaxEvents));
  }
  if (f.limit == 0) f.limit = kMaxEvents;
  if (!bad.empty()) return error_plan(400, bad, request);
  json list = json::array();
  for (const timeline::Event& e : s.events->query(f)) list.push_back(timeline::to_json(e));
  return json_plan(200, json{{"events", list}, {"last_id", s.events->last_id()}}, request);
}

// "Bearer TOKEN" against the configured token, in time independent of where they differ.
bool token_matches(std::string_view authorization, std::string_view token) {
  constexpr std::string_view kBearer = "Bearer ";
  if (!authorization.starts_with(kBearer)) return false;
  std::string_view given = authorization.substr(kBearer.size());
  unsigned diff = given.size() == token.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i) {
    diff |= static_cast<unsigned char>(given[i]) ^
            static_cast<unsigned char>(i < token.size() ? token[i] : 0);
  }
  return diff == 0;
}

// Why `request` may not write, or nullopt if it may.
std::optional<http::ResponsePlan> refuse_write(const Sources& s, const http::Request& request) {
  if (s.token.empty()) {
    return error_plan(403, "writes are off: no api.token is configured", request);
  }
  if (!token_matches(request.authorization, s.token)) {
    http::ResponsePlan plan = error_plan(
        401,
        request.authorization.empty() ? "this needs Authorization: Bearer TOKEN (api.token)"
                                      : "wrong token",
        request);
    plan.headers.push_back({"WWW-Authenticate", "Bearer realm=\"pxed\""});
    return plan;
  }
  return std::nullopt;
}

// Applies the JSON object `body` to `host`; the reason it cannot, if any.
std::optional<std::string> apply_host_fields(const Sources& s, const json& body,
                                             boot::HostRecord& host) {
  if (!body.is_object()) return "expected a JSON object";
  for (const auto& [key, value] : body.items()) {
    if (key == "profile") {
      if (!value.is_string()) return "profile: expected a string";
      std::string name = value.get<std::string>();
      const bool known = name.empty() || std::any_of(s.profiles.begin(), s.profiles.end(),
                                                     [&](const auto& p) { return p.name == name; });
      if (!known) {
        std::string names;
        for (const auto& p : s.profiles) names += (names.empty() ? "" : ", ") + p.name;
        return "profile: no profile named \"" + name + "\" (known: " +
               (names.empty() ? "none" : names) + ")";
      }
      host.profile = name;
    } else if (key == "hostname") {
      if (!value.is_string()) return "hostname: expected a string";
      host.hostname = value.get<std::string>();
    } else if (key == "labels") {
      if (!value.is_array()) return "labels: expected an array of strings";
      host.labels.clear();
      for (const auto& l : value) {
        if (!l.is_string() || l.get<std::string>().empty()) {
          return "labels: expected an array of non-empty strings";
        }
        host.labels.push_back(l.get<std::string>());
      }
    } else if (key == "boot_once") {
      if (!value.is_boolean()) return "boot_once: expected true or false";
      const bool once = value.get<bool>();
      if (once) host.netbooted_at = 0;  // a new network boot is armed
      host.boot_once = once;
    } else {
      return "unknown field \"" + key + "\" (profile, hostname, labels, boot_once)";
    }
  }
  return std::nullopt;
}

http::ResponsePlan host_write(const Sources& s, const http::Request& request,
                              const MacAddress& mac) {
  if (auto refused = refuse_write(s, request)) return *refused;
  if (!s.find_host || !s.put_host || !s.remove_host) {
    return error_plan(404, "no host directory", request);
  }
  std::optional<boot::HostRecord> old = s.find_host(mac);
  if (request.method == "DELETE") {
    auto removed = s.remove_host(mac);
    if (!removed) return error_plan(500, "cannot remove: " + removed.error().message, request);
    if (!*removed) return error_plan(404, "no host " + mac.to_string(), request);
    http::ResponsePlan plan;
    plan.status = 204;
    plan.keep_alive = http::wants_keep_alive(request.version, request.connection);
    return plan;
  }
  json body;
  try {
    body = json::parse(request.body.empty() ? std::string("{}") : request.body);
  } catch (const json::parse_error& e) {
    return error_plan(400, std::string("the body is not JSON: ") + e.what(), request);
  }
  boot::HostRecord host;
  if (request.method == "PATCH" && old) host = *old;
  if (request.method == "PUT" && old && old->boot_once) host.netbooted_at = old->netbooted_at;
  host.mac = mac;
  if (auto why = apply_host_fields(s, body, host)) return error_plan(400, *why, request);
  if (auto stored = s.put_host(host); !stored) {
    return error_plan(500, "cannot store: " + stored.error().message, request);
  }
  return json_plan(old ? 200 : 201, host_json(host), request);
}

}  // namespace

std::optional<std::string> query_value(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    const std::size_t eq = pair.find('=');
    if (url_decode(pair.substr(0, eq)) != name) continue;
    return eq == std::string_view::npos ? std::string() : url_decode(pair.substr(eq + 1));
  }
  return std::nullopt;
}

std::optional<http::ResponsePlan> handle(const Sources& s, const http::Request& request,
                                         std::int64_t now_ms) {
  std::string_view target = request.target;
  if (!target.starts_with(kPrefix)) return std::nullopt;
  const std::size_t question = target.find('?');
  const std::string_view path = target.substr(0, question);
  const std::string_view query =
      question == std::string_view::npos ? std::string_view() : target.substr(question + 1);
  if (!path.starts_with(kV1)) return error_plan(404, "no such API: " + std::string(path), request);
  const std::string_view what = path.substr(kV1.size());
  const bool read = request.method == "GET" || request.method == "HEAD";
  if (what.starts_with("hosts/")) {
    const std::string text(what.substr(std::string_view("hosts/").size()));
    auto mac = MacAddress::parse(text);
    if (!mac) {
      return error_plan(400, "expected a MAC like aa:bb:cc:dd:ee:ff, got \"" + text + "\"",
                        request);
    }
    if (request.method == "PUT" || request.method == "PATCH" || request.method == "DELETE") {
      return host_write(s, request, *mac);
    }
    if (!read) {
      http::ResponsePlan plan =
          error_plan(405, "method " + request.method + " is not allowed here", request);
      plan.headers.back() = {"Allow", "GET, HEAD, PUT, PATCH, DELETE"};
      return plan;
    }
    auto host = s.find_host ? s.find_host(*mac) : std::nullopt;
    if (!host) return error_plan(404, "no host " + mac->to_string(), request);
    return json_plan(200, host_json(*host), request);
  }
  if (!read) return error_plan(405, "method " + request.method + " is not allowed here", request);

  if (what == "status") {
    json body = {{"version", s.version},
                 {"started_at", timeline::format_time_ms(s.started_ms)},
                 {"uptime_s", (now_ms - s.started_ms) / 1000},
                 {"config_digest", s.config_digest}};
    if (s.events) {
      body["events"] = {{"last_id", s.events->last_id()}, {"in_memory", s.events->size()}};
      body["machines"] = s.events->machines().size();
    }
    if (s.leases) {
      std::size_t active = 0;
      for (const lease::Lease& l : s.leases()) active += l.active(now_ms / 1000) ? 1 : 0;
      body["leases_active"] = active;
    }
    return json_plan(200, body, request);
  }
  if (what == "events") {
    if (!s.events) return error_plan(404, "the boot timeline is off", request);
    return events(s, query, request);
  }
  if (what == "events/stream") {
    if (!s.event_stream) return error_plan(404, "the boot timeline is off", request);
    StreamRequest want;
    std::string bad;
    if (auto mac = query_value(query, "mac")) {
      want.mac = MacAddress::parse(*mac);
      if (!want.mac) bad = "mac: expected aa:bb:cc:dd:ee:ff, got \"" + *mac + "\"";
    }
    if (auto v = number_param(query, "after", bad)) want.after_id = *v;
    if (!request.last_event_id.empty()) {  // an EventSource reconnecting: it knows best
      const std::string& id = request.last_event_id;
      std::int64_t v = 0;
      auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), v);
      if (ec != std::errc() || end != id.data() + id.size() || v < 0) {
        bad = "Last-Event-ID: expected an event id, got \"" + id + "\"";
      } else {
        want.after_id = v;
      }
    }
    if (!bad.empty()) return error_plan(400, bad, request);
    return s.event_stream(want, request);
  }
  if (what == "machines") {
    if (!s.events) return error_plan(404, "the boot timeline is off", request);
    json list = json::array();
    for (const auto& m : s.events->machines()) list.push_back(timeline::to_json(m));
    return json_plan(200, json{{"machines", list}}, request);
  }
  if (what.starts_with("machines/")) {
    if (!s.events) return error_plan(404, "the boot timeline is off", request);
    const std::string text(what.substr(std::string_view("machines/").size()));
    auto mac = MacAddress::parse(text);
    if (!mac) return error_plan(400, "expected a MAC like aa:bb:cc:dd:ee:ff, got \"" + text + "\"", request);
    auto m = s.events->machine(*mac);
    if (!m) return error_plan(404, "no events for " + mac->to_string(), request);
    timeline::Filter f;
    f.mac = *mac;
    f.limit = 1000;
    json list = json::array();
    for (const timeline::Event& e : s.events->query(f)) list.push_back(timeline::to_json(e));
    return json_plan(200, json{{"machine", timeline::to_json(*m)}, {"events", list}}, request);
  }
  if (what == "leases") {
    json list = json::array();
    if (s.leases) {
      for (const lease::Lease& l : s.leases()) list.push_back(lease_json(l, now_ms / 1000));
    }
    return json_plan(200, json{{"leases", list}}, request);
  }
  if (what == "hosts") {
    json list = json::array();
    if (s.hosts) {
      for (const boot::HostRecord& h : s.hosts()) list.push_back(host_json(h));
    }
    return json_plan(200, json{{"hosts", list}}, request);
  }
  if (what == "profiles") {
    json list = json::array();
    for (const boot::Profile& p : s.profiles) list.push_back(profile_json(p));
    return json_plan(200, json{{"profiles", list}}, request);
  }
  return error_plan(404, "no such API: " + std::string(path), request);
}

}  // namespace pxed::api
