#include "http/media_type.h"

#include <array>
#include <string>
#include <utility>

namespace pxed::http {
namespace {

constexpr std::array<std::pair<std::string_view, std::string_view>, 13> kTypes{{
    {"efi", "application/efi"},
    {"ipxe", "text/plain"},
    {"cfg", "text/plain"},
    {"conf", "text/plain"},
    {"txt", "text/plain"},
    {"html", "text/html; charset=utf-8"},
    {"css", "text/css"},
    {"js", "text/javascript"},
    {"json", "application/json"},
    {"svg", "image/svg+xml"},
    {"png", "image/png"},
    {"iso", "application/octet-stream"},
    {"img", "application/octet-stream"},
}};

}  // namespace

std::string_view media_type_for(std::string_view path) {
  constexpr std::string_view kDefault = "application/octet-stream";
  std::size_t slash = path.find_last_of('/');
  std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
  std::size_t dot = name.find_last_of('.');
  if (dot == std::string_view::npos || dot + 1 == name.size()) return kDefault;
  std::string ext(name.substr(dot + 1));
  for (char& c : ext) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  for (const auto& [e, type] : kTypes) {
    if (e == ext) return type;
  }
  return kDefault;
}

}  // namespace pxed::http
