// Dynamic answers beside the files: the REST API and the metrics. A handler is asked first for
// every request; it returns the whole response plan, or nothing when the target is not its own
// (then the request goes to the files as usual). It runs on the HTTP loops' threads, several at
// once, so it must answer quickly and be thread-safe.
#pragma once

#include <functional>
#include <optional>

#include "core/net_types.h"
#include "http/router.h"

namespace pxed::http {

using Handler = std::function<std::optional<ResponsePlan>(const Request& request, Ipv4 client)>;

}  // namespace pxed::http
