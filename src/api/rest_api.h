// The REST API under /api/v1, read side: JSON for the boot timeline, the machines, the leases,
// the hosts, the profiles and the server's status. Pure: what it reads comes through Sources
// (the daemon binds them to the live services), the time is passed in, and the answer is an
// http::ResponsePlan the HTTP connection sends like any other.
//
//   GET /api/v1/status                  version, start, uptime, config digest, counts
//   GET /api/v1/events?mac=M&since=MS&until=MS&after=ID&limit=N
//                                       timeline events, oldest first (limit: newest N, 1000)
//   GET /api/v1/events/stream?mac=M&after=ID
//                                       the same, live, as server-sent events (event_stream.h)
//   GET /api/v1/machines                one summary per machine: stage, last result
//   GET /api/v1/machines/MAC            one machine's summary and its events
//   GET /api/v1/leases                  the leases on record
//   GET /api/v1/hosts                   the host records (`pxed hosts`)
//   GET /api/v1/profiles                the boot profiles of the config
//   GET    /api/v1/hosts/MAC            one host record
//   PUT    /api/v1/hosts/MAC            create or replace it: {"profile", "hostname", "labels",
//                                       "boot_once"}, each optional (absent: empty/false)
//   PATCH  /api/v1/hosts/MAC            change only the fields given
//   DELETE /api/v1/hosts/MAC            remove it (204; 404 if there was none)
//
// Writes need "Authorization: Bearer TOKEN" with the config's api.token (401 otherwise, 403
// when no token is configured: writes are then off). Setting boot_once to true arms a new
// network boot (the previous one's mark is cleared). Anything else under /api/ is 404 (unknown
// path) or 405 (method), with a JSON error body; a bad query parameter or body is 400 saying
// what was expected.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/event_stream.h"
#include "boot/profile.h"
#include "http/router.h"
#include "lease/lease.h"
#include "timeline/event_log.h"

namespace pxed::api {

struct Sources {
  const timeline::EventLog* events = nullptr;  // null: no timeline (404 for its endpoints)
  std::function<std::vector<lease::Lease>()> leases;         // empty: no DHCP service
  std::function<std::vector<boot::HostRecord>()> hosts;      // empty: no host directory
  std::function<std::optional<boot::HostRecord>(const MacAddress&)> find_host;
  std::function<Result<void>(const boot::HostRecord&)> put_host;
  std::function<Result<bool>(const MacAddress&)> remove_host;  // false: there was none
  std::string token;  // the bearer token writes need; empty: writes are refused
  std::vector<boot::Profile> profiles;
  std::string version;
  std::string config_digest;  // of the config the server runs with
  std::int64_t started_ms = 0;
  // The live stream (EventStreams::open); empty: 404.
  std::function<http::ResponsePlan(const StreamRequest&, const http::Request&)> event_stream;
};

// The answer for `request`, or nullopt if its target is not under /api/ (not ours).
std::optional<http::ResponsePlan> handle(const Sources& sources, const http::Request& request,
                                         std::int64_t now_ms);

// The value of `name` in a query string ("a=1&b=2"), %XX and '+' decoded; nullopt if absent.
std::optional<std::string> query_value(std::string_view query, std::string_view name);

}  // namespace pxed::api
