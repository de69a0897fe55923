#include "tftp/transfer_log.h"

#include <algorithm>

#include <fmt/format.h>

namespace pxed::tftp {
namespace {

std::string head(std::string_view client, std::string_view op, std::string_view filename,
                 std::string_view options) {
  std::string line = fmt::format("tftp: {} {} {}", client, op, printable(filename));
  if (!options.empty()) line += fmt::format(" ({})", options);
  return line;
}

std::string progress(const SessionStats& s) {
  return fmt::format("{} of {} bytes sent", s.bytes_acked, s.file_size);
}

}  // namespace

std::string printable(std::string_view text, std::size_t max) {
  std::string out;
  out.reserve(std::min(text.size(), max) + 3);
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i == max) {
      out += "...";
      break;
    }
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c >= 0x7f || c == '\\') {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
  return out;
}

std::string format_transfer_line(const TransferSummary& t) {
  std::string line = head(t.client, "RRQ", t.filename, t.options) + " -> ";
  const SessionStats& s = t.stats;
  switch (t.outcome) {
    case Outcome::completed:
      line += fmt::format("sent {} bytes in {:.3f} s", s.bytes_acked, t.seconds);
      if (s.retransmits > 0) line += fmt::format(", {} retransmits", s.retransmits);
      break;
    case Outcome::timed_out:
      line += fmt::format("timed out after {} retries, {}", t.retries, progress(s));
      break;
    case Outcome::aborted_after_options:
      line += "size probe ended by client after OACK";
      break;
    case Outcome::aborted_by_client: {
      line += "aborted by client";
      if (s.client_error) {
        line += fmt::format(" with ERROR {} \"{}\"", s.client_error->code,
                            printable(s.client_error->message));
      }
      line += ", " + progress(s);
      break;
    }
    case Outcome::read_failed:
    case Outcome::cut:
      line += std::string(to_string(t.outcome));
      if (!t.detail.empty()) line += fmt::format(" ({})", t.detail);
      line += ", " + progress(s);
      break;
  }
  return line;
}

std::string format_refusal_line(std::string_view client, std::string_view op,
                                std::string_view filename, std::string_view outcome) {
  return head(client, op, filename, {}) + " -> " + std::string(outcome);
}

}  // namespace pxed::tftp
