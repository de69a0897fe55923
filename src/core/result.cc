#include "core/result.h"

namespace pxed {

std::string_view to_string(Errc code) {
  switch (code) {
    case Errc::truncated:
      return "truncated";
    case Errc::malformed:
      return "malformed";
    case Errc::unsupported:
      return "unsupported";
    case Errc::not_found:
      return "not found";
    case Errc::access_denied:
      return "access denied";
    case Errc::invalid_argument:
      return "invalid argument";
    case Errc::exhausted:
      return "exhausted";
    case Errc::conflict:
      return "conflict";
    case Errc::io:
      return "i/o error";
  }
  return "unknown";
}

}  // namespace pxed
