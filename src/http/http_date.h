// HTTP dates (RFC 9110 section 5.6.7, IMF-fixdate): "Sun, 06 Nov 1994 08:49:37 GMT". Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pxed::http {

// Formats seconds since the epoch, in UTC, without depending on the locale.
std::string format_http_date(std::int64_t epoch_seconds);

// Seconds since the epoch of a date in any of the three forms a recipient must accept:
// IMF-fixdate, the obsolete RFC 850 form ("Sunday, 06-Nov-94 08:49:37 GMT"; a two-digit year
// below 70 is taken as 20YY) and asctime ("Sun Nov  6 08:49:37 1994"). Surrounding spaces are
// allowed; anything else (an unknown name, a day out of range, trailing text) gives nullopt.
std::optional<std::int64_t> parse_http_date(std::string_view text);

}  // namespace pxed::http
