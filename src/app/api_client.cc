#include "app/api_client.h"

#include <algorithm>
#include <cstdio>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include "config/loader.h"

namespace pxed::app {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;

namespace {

struct Base {
  std::string host, port = "80";
};

Result<Base> parse_base(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) {
    return fail(Errc::invalid_argument,
                fmt::format("--api {}: expected http://HOST[:PORT] (https is not served)", url));
  }
  url.remove_prefix(kScheme.size());
  url = url.substr(0, url.find('/'));  // "/" or "/api/v1" after the authority: ours to add
  Base b;
  const std::size_t colon = url.rfind(':');
  b.host = std::string(url.substr(0, colon));
  if (colon != std::string_view::npos) b.port = std::string(url.substr(colon + 1));
  if (b.host.empty() || b.port.empty()) {
    return fail(Errc::invalid_argument, fmt::format("--api: no host in {}", url));
  }
  return b;
}

}  // namespace

Result<ApiAnswer> api_request(const std::string& method, const std::string& base,
                              const std::string& path, const std::string& body,
                              const std::string& token, std::chrono::seconds timeout) {
  auto where = parse_base(base);
  if (!where) return tl::unexpected(where.error());
  try {
    asio::io_context io;
    asio::ip::tcp::resolver resolver(io);
    beast::tcp_stream stream(io);
    stream.expires_after(timeout);
    stream.connect(resolver.resolve(where->host, where->port));
    bhttp::request<bhttp::string_body> req(bhttp::string_to_verb(method), "/api/v1/" + path, 11);
    req.set(bhttp::field::host, where->host);
    req.set(bhttp::field::user_agent, "pxed");
    req.set(bhttp::field::connection, "close");
    if (!token.empty()) req.set(bhttp::field::authorization, "Bearer " + token);
    if (!body.empty()) {
      req.set(bhttp::field::content_type, "application/json");
      req.body() = body;
    }
    req.prepare_payload();
    bhttp::write(stream, req);
    beast::flat_buffer buffer;
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(64 * 1024 * 1024);
    bhttp::read(stream, buffer, parser);
    return ApiAnswer{parser.get().result_int(), parser.get().body()};
  } catch (const boost::system::system_error& e) {
    return fail(Errc::io, fmt::format("{}: {}", base, e.code().message()));
  }
}

ApiCall call_api(const ApiTarget& target, const std::string& method, const std::string& path,
                 const nlohmann::json& body, std::initializer_list<unsigned> also_ok) {
  ApiCall call;
  std::string token = target.token;
  if (token.empty() && !target.token_file.empty()) {
    auto from_file = config::read_token_file(target.token_file);
    if (!from_file) {
      std::fprintf(stderr, "pxed: --token-file %s: cannot read it\n", target.token_file.c_str());
      call.exit = 2;
      return call;
    }
    token = std::move(*from_file);
  }
  auto answer =
      api_request(method, target.url, path, body.is_null() ? std::string() : body.dump(), token);
  if (!answer) {
    std::fprintf(stderr, "pxed: cannot ask the API at %s\n", answer.error().message.c_str());
    call.exit = 2;
    return call;
  }
  call.status = answer->status;
  if (!answer->body.empty()) {
    call.body = nlohmann::json::parse(answer->body, nullptr, false);
    if (call.body.is_discarded()) {
      std::fprintf(stderr, "pxed: the API at %s answered %u with something that is not JSON\n",
                   target.url.c_str(), answer->status);
      call.exit = 2;
      return call;
    }
  }
  const bool ok = (call.status >= 200 && call.status < 300) ||
                  std::find(also_ok.begin(), also_ok.end(), call.status) != also_ok.end();
  if (ok) return call;
  const std::string why =
      call.body.is_object() && call.body.contains("error") && call.body["error"].is_string()
          ? call.body["error"].get<std::string>()
          : answer->body;
  if (call.status == 401) {
    std::fprintf(stderr,
                 "pxed: the API at %s refused the token (401: %s); give the server's api.token "
                 "with --token, --token-file or PXED_API_TOKEN\n",
                 target.url.c_str(), why.c_str());
  } else if (call.status == 403) {
    std::fprintf(stderr, "pxed: the API at %s refused (403: %s)\n", target.url.c_str(),
                 why.c_str());
  } else {
    std::fprintf(stderr, "pxed: the API answered %u: %s\n", call.status, why.c_str());
  }
  call.exit = 1;
  return call;
}

int events_main(const EventsOptions& o) {
  std::string path = "events?limit=" + std::to_string(o.limit);
  if (!o.mac.empty()) path += "&mac=" + o.mac;
  if (o.since_ms > 0) path += "&since=" + std::to_string(o.since_ms);
  ApiCall call = call_api(ApiTarget{o.api, {}, {}}, "GET", path);
  if (call.exit != 0) return call.exit;
  const nlohmann::json& body = call.body;
  if (o.json) {
    std::printf("%s\n", body.dump(2).c_str());
    return 0;
  }
  for (const auto& e : body.value("events", nlohmann::json::array())) {
    std::printf("%s  %-17s %-4s %-11s %-6s %s\n", e.value("at", "").c_str(),
                e["mac"].is_string() ? e["mac"].get<std::string>().c_str() : "-",
                e.value("protocol", "").c_str(), e.value("stage", "").c_str(),
                e.value("outcome", "").c_str(), e.value("summary", "").c_str());
  }
  return 0;
}

}  // namespace pxed::app
