// Result<T>: the value or the reason it could not be produced. Codecs and protocol logic
// return these instead of throwing; exceptions are kept for start-up and broken invariants.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <tl/expected.hpp>

namespace pxed {

// One documented error enum for the whole daemon.
enum class Errc {
  truncated,         // input ended before a length said it would
  malformed,         // input is structurally wrong
  unsupported,       // valid but not something we do (e.g. TFTP netascii, WRQ)
  not_found,         // file, lease, interface...
  access_denied,     // path outside the root, permission
  invalid_argument,  // bad user input (CLI, config)
  exhausted,         // no free address, too many sessions
  conflict,          // address owned by another client
  io,                // system call failed
};

std::string_view to_string(Errc code);

struct Error {
  Errc code;
  std::string message;
};

template <class T>
using Result = tl::expected<T, Error>;

inline tl::unexpected<Error> fail(Errc code, std::string message) {
  return tl::unexpected<Error>(Error{code, std::move(message)});
}

}  // namespace pxed
