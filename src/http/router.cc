#include "http/router.h"

#include <fmt/format.h>

#include "core/file_root.h"
#include "http/http_date.h"
#include "http/media_type.h"
#include "http/target.h"

namespace pxed::http {
namespace {

char lower(char c) {
  return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

bool equal_nocase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    std::size_t comma = list.find(',');
    if (equal_nocase(trim(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

bool is_head(const Request& r) {
  return r.method == "HEAD";
}

// Settles keep-alive from what the plan allows and what the client asked, and says so in a
// Connection header whenever the default for the request's version does not hold.
ResponsePlan finish(ResponsePlan plan, const Request& request) {
  bool keep = plan.keep_alive && wants_keep_alive(request.version, request.connection);
  plan.keep_alive = keep;
  for (auto it = plan.headers.begin(); it != plan.headers.end();) {
    it = equal_nocase(it->name, "Connection") ? plan.headers.erase(it) : it + 1;
  }
  if (!keep) {
    plan.headers.push_back({"Connection", "close"});
  } else if (request.version < 11) {
    plan.headers.push_back({"Connection", "keep-alive"});
  }
  return plan;
}

// If-Range (RFC 9110 section 13.1.5): the range holds only if the validator still matches.
// We send no ETag, so only our own Last-Modified date can match.
bool if_range_holds(std::string_view if_range, std::string_view last_modified) {
  if_range = trim(if_range);
  return if_range.empty() || if_range == last_modified;
}

}  // namespace

const std::string* ResponsePlan::header(std::string_view name) const {
  for (const Header& h : headers) {
    if (equal_nocase(h.name, name)) return &h.value;
  }
  return nullptr;
}

bool wants_keep_alive(unsigned version, std::string_view connection) {
  if (has_token(connection, "close")) return false;
  if (version >= 11) return true;
  return has_token(connection, "keep-alive");
}

std::string_view status_reason(unsigned status) {
  switch (status) {
    case 200:
      return "OK";
    case 206:
      return "Partial Content";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 416:
      return "Range Not Satisfiable";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Unknown";
  }
}

ResponsePlan plan_error(unsigned status, bool head, bool keep_alive) {
  ResponsePlan plan;
  plan.status = status;
  std::string text = fmt::format("{} {}\n", status, status_reason(status));
  plan.headers.push_back({"Content-Type", "text/plain; charset=utf-8"});
  plan.headers.push_back({"Content-Length", std::to_string(text.size())});
  if (!head) plan.body = std::move(text);
  plan.keep_alive = keep_alive;
  if (!keep_alive) plan.headers.push_back({"Connection", "close"});
  return plan;
}

std::variant<FileWanted, ResponsePlan> route_request(const Request& request) {
  const bool head = is_head(request);
  if (request.version != 10 && request.version != 11) {
    return finish(plan_error(505, head, false), request);
  }
  if (request.method != "GET" && !head) {
    // A body we will not read leaves the stream unframed: close after answering.
    ResponsePlan plan = plan_error(405, false, !request.has_body);
    plan.headers.push_back({"Allow", "GET, HEAD"});
    return finish(std::move(plan), request);
  }
  if (request.has_body) return finish(plan_error(413, head, false), request);

  auto decoded = decode_target_path(request.target);
  if (!decoded) return finish(plan_error(400, head, false), request);
  auto path = normalize_request_path(*decoded);
  if (!path) {
    unsigned status = path.error().code == Errc::not_found ? 404 : 403;
    return finish(plan_error(status, head, true), request);
  }
  return FileWanted{std::move(*path)};
}

ResponsePlan plan_file_response(const Request& request, const FileWanted& wanted,
                                const Result<FileMeta>& lookup) {
  const bool head = is_head(request);
  if (!lookup) {
    unsigned status = 500;
    if (lookup.error().code == Errc::not_found) status = 404;
    if (lookup.error().code == Errc::access_denied) status = 403;
    ResponsePlan plan = plan_error(status, head, true);
    plan.path = wanted.path;
    return finish(std::move(plan), request);
  }

  const std::uint64_t size = lookup->size;
  const std::string last_modified = format_http_date(lookup->mtime);
  RangeChoice choice = if_range_holds(request.if_range, last_modified)
                           ? choose_range(request.range, size)
                           : RangeChoice{RangeKind::whole, {0, size}};

  if (choice.kind == RangeKind::unsatisfiable) {
    ResponsePlan plan = plan_error(416, head, true);
    plan.path = wanted.path;
    plan.headers.push_back({"Content-Range", fmt::format("bytes */{}", size)});
    plan.headers.push_back({"Accept-Ranges", "bytes"});
    return finish(std::move(plan), request);
  }

  ResponsePlan plan;
  plan.path = wanted.path;
  plan.status = choice.kind == RangeKind::partial ? 206 : 200;
  plan.headers.push_back({"Content-Type", std::string(media_type_for(wanted.path))});
  plan.headers.push_back({"Content-Length", std::to_string(choice.range.length)});
  plan.headers.push_back({"Last-Modified", last_modified});
  plan.headers.push_back({"Accept-Ranges", "bytes"});
  if (choice.kind == RangeKind::partial) {
    std::uint64_t last = choice.range.first + choice.range.length - 1;
    plan.headers.push_back(
        {"Content-Range", fmt::format("bytes {}-{}/{}", choice.range.first, last, size)});
  }
  if (!head && choice.range.length > 0) plan.file_range = choice.range;
  return finish(std::move(plan), request);
}

ResponsePlan plan_response(const Request& request,
                           const std::function<Result<FileMeta>(const std::string&)>& lookup) {
  auto routed = route_request(request);
  if (auto* plan = std::get_if<ResponsePlan>(&routed)) return std::move(*plan);
  const auto& wanted = std::get<FileWanted>(routed);
  return plan_file_response(request, wanted, lookup(wanted.path));
}

}  // namespace pxed::http
