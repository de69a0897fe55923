// HTTP dates (RFC 9110 section 5.6.7, IMF-fixdate): "Sun, 06 Nov 1994 08:49:37 GMT". Pure.
#pragma once

#include <cstdint>
#include <string>

namespace pxed::http {

// Formats seconds since the epoch, in UTC, without depending on the locale.
std::string format_http_date(std::int64_t epoch_seconds);

}  // namespace pxed::http
