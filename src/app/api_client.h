// The command line's side of the REST API: one HTTP/1.1 request to a running pxed and its JSON
// answer. Blocking, with a time limit; for commands such as `pxed events`, and `pxed hosts` and
// `pxed leases` when they are given --api (or PXED_API).
#pragma once

#include <chrono>
#include <initializer_list>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace pxed::app {

struct ApiAnswer {
  unsigned status = 0;
  std::string body;
};

// METHOD `base` + `path` (base: "http://HOST[:PORT]", a trailing "/" or "/api/v1" allowed),
// with "Authorization: Bearer TOKEN" if `token` is not empty. Errc::invalid_argument for a bad
// base URL, Errc::io when the server cannot be reached or answers nothing within `timeout`.
Result<ApiAnswer> api_request(const std::string& method, const std::string& base,
                              const std::string& path, const std::string& body = {},
                              const std::string& token = {},
                              std::chrono::seconds timeout = std::chrono::seconds(10));

// Where a command finds a running pxed's API, and the token its writes carry.
struct ApiTarget {
  std::string url;         // --api or env PXED_API, "http://HOST[:PORT]"; empty: not given
  std::string token;       // --token or env PXED_API_TOKEN
  std::string token_file;  // --token-file: its first line is the token (when --token is not given)
};

// A command's call to the API: the answer's status and JSON body when it is 2xx or one of
// `also_ok`; otherwise an error line on stderr ("pxed: ...") and `exit` set to the command's exit
// status: 1 when the API says no (401 and 403 say what the token lacks), 2 when it cannot be
// reached, its answer is not JSON, or the token file cannot be read.
struct ApiCall {
  int exit = 0;
  unsigned status = 0;
  nlohmann::json body;  // null for a 204
};
ApiCall call_api(const ApiTarget& target, const std::string& method, const std::string& path,
                 const nlohmann::json& body = nullptr,
                 std::initializer_list<unsigned> also_ok = {});

// `pxed events --mac M [--api URL] [--since MS] [--limit N] [--json]`: the machine's timeline,
// one line per event ("2026-11-30T22:01:02.345Z  tftp  loader  ok  TFTP ipxe.efi 850 KB ..."),
// or the API's JSON. Exit status 0, 1 when the API says no, 2 when it cannot be reached.
struct EventsOptions {
  std::string api = "http://127.0.0.1";
  std::string mac;
  std::int64_t since_ms = 0;
  unsigned limit = 1000;
  bool json = false;
};
int events_main(const EventsOptions& o);

}  // namespace pxed::app
