#include "http/response_head.h"

#include <fmt/format.h>

#include "http/http_date.h"

namespace pxed::http {

std::string serialize_head(const ResponsePlan& plan, std::int64_t now_epoch_seconds) {
  std::string out;
  out.reserve(256);
  out += fmt::format("HTTP/1.1 {} {}\r\n", plan.status, status_reason(plan.status));
  out += "Date: ";
  out += format_http_date(now_epoch_seconds);
  out += "\r\nServer: pxed\r\n";
  for (const Header& h : plan.headers) {
    out += h.name;
    out += ": ";
    out += h.value;
    out += "\r\n";
  }
  out += "\r\n";
  return out;
}

}  // namespace pxed::http
