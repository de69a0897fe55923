// The request target: which path a client asked for. Pure.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace pxed::http {

// Extracts the path from a request target in origin form ("/a/b?q") or absolute form
// ("http://host:port/a/b"), drops the query and any fragment, and decodes %XX escapes
// (a '+' stays a '+': this is a path, not a form). The result still needs
// normalize_request_path(): a decoded "%2e%2e" is a ".." like any other.
// malformed for a broken escape or a target in neither form (e.g. "*").
Result<std::string> decode_target_path(std::string_view target);

// The target as it may appear in a log line: control bytes, quotes, backslashes and non-ASCII
// escaped as \xHH, cut to max_len characters with "..." after.
std::string printable_target(std::string_view target, std::size_t max_len = 200);

}  // namespace pxed::http
