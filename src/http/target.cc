#include "http/target.h"

#include <fmt/format.h>

namespace pxed::http {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool starts_with_nocase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

// RFC 9112 section 3.2.2: a server accepts the absolute form; only its path matters here.
std::string_view strip_authority(std::string_view target) {
  std::size_t scheme_len = 0;
  if (starts_with_nocase(target, "http://")) {
    scheme_len = 7;
  } else if (starts_with_nocase(target, "https://")) {
    scheme_len = 8;
  } else {
    return target;
  }
  std::string_view rest = target.substr(scheme_len);
  std::size_t path_start = rest.find_first_of("/?#");
  if (path_start == std::string_view::npos) return "/";
  rest = rest.substr(path_start);
  // "http://host?q" has an empty path, which means "/".
  return rest.front() == '/' ? rest : std::string_view("/");
}

}  // namespace

Result<std::string> decode_target_path(std::string_view target) {
  std::string_view path = strip_authority(target);
  if (path.empty() || path.front() != '/') {
    return fail(Errc::malformed, "request target is neither a path nor an absolute URL");
  }
  std::size_t end = path.find_first_of("?#");
  if (end != std::string_view::npos) path = path.substr(0, end);

  std::string out;
  out.reserve(path.size());
  for (std::size_t i = 0; i < path.size(); ++i) {
    char c = path[i];
    if (c != '%') {
      out.push_back(c);
      continue;
    }
    if (i + 2 >= path.size()) {
      return fail(Errc::malformed, "truncated %-escape in the request target");
    }
    int hi = hex_value(path[i + 1]);
    int lo = hex_value(path[i + 2]);
    if (hi < 0 || lo < 0) return fail(Errc::malformed, "invalid %-escape in the request target");
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::string printable_target(std::string_view target, std::size_t max_len) {
  std::string out;
  bool cut = target.size() > max_len;
  if (cut) target = target.substr(0, max_len);
  out.reserve(target.size() + (cut ? 3 : 0));
  for (char c : target) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\') {
      out += fmt::format("\\x{:02x}", u);
    } else {
      out.push_back(c);
    }
  }
  if (cut) out += "...";
  return out;
}

}  // namespace pxed::http
