#include "http/http_date.h"

#include <array>
#include <ctime>

#include <fmt/format.h>

namespace pxed::http {
namespace {

constexpr std::array<std::string_view, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr std::array<std::string_view, 7> kLongDays = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                                       "Thursday", "Friday", "Saturday"};
constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

// Days from 1970-01-01 to the given civil date (proleptic Gregorian calendar).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool leap(std::int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

// A cursor over the text that fails once and stays failed.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}
  bool ok() const { return ok_; }
  bool at_end() const { return s_.empty(); }

  void literal(std::string_view lit) {
    if (ok_ && s_.substr(0, lit.size()) == lit) {
      s_.remove_prefix(lit.size());
    } else {
      ok_ = false;
    }
  }
  // Exactly `digits` digits (a leading space counts as a zero when space_pad is set).
  unsigned number(std::size_t digits, bool space_pad = false) {
    unsigned v = 0;
    for (std::size_t i = 0; i < digits; ++i) {
      if (!ok_ || s_.empty()) {
        ok_ = false;
        return 0;
      }
      char c = s_.front();
      if (space_pad && i == 0 && c == ' ') {
        s_.remove_prefix(1);
        continue;
      }
      if (c < '0' || c > '9') {
        ok_ = false;
        return 0;
      }
      v = v * 10 + static_cast<unsigned>(c - '0');
      s_.remove_prefix(1);
    }
    return v;
  }
  // One of the names; its index.
  template <std::size_t N>
  unsigned name(const std::array<std::string_view, N>& names) {
    for (std::size_t i = 0; i < N && ok_; ++i) {
      if (s_.substr(0, names[i].size()) == names[i]) {
        s_.remove_prefix(names[i].size());
        return static_cast<unsigned>(i);
      }
    }
    ok_ = false;
    return 0;
  }

 private:
  std::string_view s_;
  bool ok_ = true;
};

std::optional<std::int64_t> to_epoch(std::int64_t year, unsigned month, unsigned day, unsigned hour,
                                     unsigned minute, unsigned second) {
  static constexpr unsigned kMonthDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month > 11 || day < 1 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  unsigned max_day = kMonthDays[month] + (month == 1 && leap(year) ? 1 : 0);
  if (day > max_day) return std::nullopt;
  if (second == 60) second = 59;  // a leap second: the same second as far as we can tell
  return days_from_civil(year, month + 1, day) * 86400 + hour * 3600 + minute * 60 + second;
}

std::optional<std::int64_t> imf_fixdate(std::string_view text) {
  Scanner s(text);
  s.name(kDays);
  s.literal(", ");
  unsigned day = s.number(2);
  s.literal(" ");
  unsigned month = s.name(kMonths);
  s.literal(" ");
  unsigned year = s.number(4);
  s.literal(" ");
  unsigned h = s.number(2);
  s.literal(":");
  unsigned m = s.number(2);
  s.literal(":");
  unsigned sec = s.number(2);
  s.literal(" GMT");
  if (!s.ok() || !s.at_end()) return std::nullopt;
  return to_epoch(year, month, day, h, m, sec);
}

std::optional<std::int64_t> rfc850_date(std::string_view text) {
  Scanner s(text);
  s.name(kLongDays);
  s.literal(", ");
  unsigned day = s.number(2);
  s.literal("-");
  unsigned month = s.name(kMonths);
  s.literal("-");
  unsigned yy = s.number(2);
  s.literal(" ");
  unsigned h = s.number(2);
  s.literal(":");
  unsigned m = s.number(2);
  s.literal(":");
  unsigned sec = s.number(2);
  s.literal(" GMT");
  if (!s.ok() || !s.at_end()) return std::nullopt;
  return to_epoch(yy < 70 ? 2000 + yy : 1900 + yy, month, day, h, m, sec);
}

std::optional<std::int64_t> asctime_date(std::string_view text) {
  Scanner s(text);
  s.name(kDays);
  s.literal(" ");
  unsigned month = s.name(kMonths);
  s.literal(" ");
  unsigned day = s.number(2, true);
  s.literal(" ");
  unsigned h = s.number(2);
  s.literal(":");
  unsigned m = s.number(2);
  s.literal(":");
  unsigned sec = s.number(2);
  s.literal(" ");
  unsigned year = s.number(4);
  if (!s.ok() || !s.at_end()) return std::nullopt;
  return to_epoch(year, month, day, h, m, sec);
}

}  // namespace

std::string format_http_date(std::int64_t epoch_seconds) {
  auto t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  if (::gmtime_r(&t, &tm) == nullptr) return "Thu, 01 Jan 1970 00:00:00 GMT";
  return fmt::format("{}, {:02d} {} {:04d} {:02d}:{:02d}:{:02d} GMT", kDays[tm.tm_wday], tm.tm_mday,
                     kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::optional<std::int64_t> parse_http_date(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  if (auto t = imf_fixdate(text)) return t;
  if (auto t = rfc850_date(text)) return t;
  return asctime_date(text);
}

}  // namespace pxed::http
