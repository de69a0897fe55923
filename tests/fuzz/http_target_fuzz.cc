// Fuzz target: the pure HTTP request handling - the request target parser, path normalisation,
// the Range parser, and the planner and head writer they feed.
//
// Input layout (make_seeds.cc writes seeds in it):
//   bytes 0..7   the file size, big-endian (missing bytes count as zero)
//   the rest     fields separated by '\n': target, Range, If-Range, method (GET if absent),
//                Connection, version ("10" = HTTP/1.0, else 1.1), body ("1" = has a body)
// Checked: a decoded path normalises to a relative path without "", "." or ".." components;
// printable_target() prints only printable ASCII; choose_range() picks a range inside the file;
// a plan's body and file range agree with its Content-Length; and its serialised head has no
// line break but the CRLFs that end each line (no header injection).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/file_root.h"
#include "fuzz_check.h"
#include "http/range.h"
#include "http/response_head.h"
#include "http/router.h"
#include "http/target.h"

namespace pxed::http {
namespace {

constexpr std::int64_t kMtime = 1'700'000'000;  // "Tue, 14 Nov 2023 22:13:20 GMT"

void check_target(std::string_view target) {
  auto decoded = decode_target_path(target);
  if (decoded) {
    FUZZ_CHECK(decoded->size() <= target.size());
    if (!target.empty() && target.front() == '/' && target.find('%') == std::string_view::npos) {
      FUZZ_CHECK(*decoded == target.substr(0, target.find_first_of("?#")));
    }
    auto path = normalize_request_path(*decoded);
    if (path) {
      FUZZ_CHECK(!path->empty() && path->front() != '/' && path->back() != '/');
      FUZZ_CHECK(path->find('\0') == std::string::npos && path->find('\\') == std::string::npos);
      std::string_view rest = *path;
      while (true) {
        std::size_t slash = rest.find('/');
        std::string_view part = rest.substr(0, slash);
        FUZZ_CHECK(!part.empty() && part != "." && part != "..");
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
      }
    } else {
      FUZZ_CHECK(!path.error().message.empty());
    }
  } else {
    FUZZ_CHECK(!decoded.error().message.empty());
  }
  for (std::size_t max_len : {std::size_t{200}, std::size_t{16}}) {
    std::string shown = printable_target(target, max_len);
    FUZZ_CHECK(shown.size() <= 4 * max_len + 3);
    for (char c : shown) FUZZ_CHECK(c >= 0x20 && c < 0x7f);
  }
}

void check_range(std::string_view header, std::uint64_t size) {
  RangeChoice c = choose_range(header, size);
  switch (c.kind) {
    case RangeKind::whole:
      FUZZ_CHECK(c.range.first == 0 && c.range.length == size);
      break;
    case RangeKind::partial:
      FUZZ_CHECK(c.range.length >= 1 && c.range.first < size);
      FUZZ_CHECK(c.range.length <= size - c.range.first);
      break;
    case RangeKind::unsatisfiable:
      FUZZ_CHECK(c.range.first == 0 && c.range.length == 0);
      break;
  }
}

void check_plan(const Request& req, std::uint64_t size) {
  auto lookup = [&](const std::string& path) -> Result<FileMeta> {
    if (path.ends_with(".missing")) return fail(Errc::not_found, "no such file");
    if (path.ends_with(".denied")) return fail(Errc::access_denied, "not a regular file");
    if (path.ends_with(".broken")) return fail(Errc::io, "input/output error");
    return FileMeta{size, kMtime};
  };
  ResponsePlan plan = plan_response(req, lookup);
  const bool head = req.method == "HEAD";
  const std::string* length = plan.header("Content-Length");
  FUZZ_CHECK(length != nullptr);
  if (plan.file_range) {
    FUZZ_CHECK(plan.status == 200 || plan.status == 206);
    FUZZ_CHECK(!head && plan.file_range->length >= 1);
    FUZZ_CHECK(plan.file_range->first < size &&
               plan.file_range->length <= size - plan.file_range->first);
    FUZZ_CHECK(*length == std::to_string(plan.file_range->length));
    FUZZ_CHECK(plan.body.empty());
  } else if (plan.status != 200 && plan.status != 206) {
    FUZZ_CHECK(head ? plan.body.empty() : *length == std::to_string(plan.body.size()));
  }
  const std::string* type = plan.header("Content-Type");
  const bool multipart = type && type->rfind("multipart/byteranges", 0) == 0;
  if (multipart) {  // several ranges: the body is in parts, whose length Content-Length states
    FUZZ_CHECK(plan.status == 206 && !plan.file_range && plan.parts.empty() == head);
    if (!head) FUZZ_CHECK(*length == std::to_string(body_length(plan)));
  } else if (plan.status == 200 || plan.status == 206) {
    FUZZ_CHECK(plan.file_range.has_value() == (!head && *length != "0"));
  }
  if (plan.status == 206 && !multipart) FUZZ_CHECK(plan.header("Content-Range") != nullptr);
  if (plan.status == 416)
    FUZZ_CHECK(*plan.header("Content-Range") == "bytes */" + std::to_string(size));

  std::string head_bytes = serialize_head(plan, kMtime);
  FUZZ_CHECK(head_bytes.size() >= 4 && head_bytes.find("\r\n\r\n") == head_bytes.size() - 4);
  for (std::size_t i = 0; i < head_bytes.size(); ++i) {
    if (head_bytes[i] == '\r') FUZZ_CHECK(i + 1 < head_bytes.size() && head_bytes[i + 1] == '\n');
    if (head_bytes[i] == '\n') FUZZ_CHECK(i > 0 && head_bytes[i - 1] == '\r');
  }
}

}  // namespace
}  // namespace pxed::http

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace pxed::http;
  std::uint64_t file_size = 0;
  std::size_t i = 0;
  for (; i < 8; ++i) file_size = (file_size << 8) | (i < size ? data[i] : 0u);
  std::string_view text(reinterpret_cast<const char*>(data) + std::min(size, i),
                        size - std::min(size, i));

  std::vector<std::string_view> fields;  // the last one takes the rest, '\n' included
  while (fields.size() < 6) {
    std::size_t nl = text.find('\n');
    if (nl == std::string_view::npos) break;
    fields.push_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  fields.push_back(text);
  auto field = [&](std::size_t n) { return n < fields.size() ? fields[n] : std::string_view(); };

  Request req;
  req.target = std::string(field(0));
  req.range = std::string(field(1));
  req.if_range = std::string(field(2));
  req.method = fields.size() > 3 ? std::string(field(3)) : "GET";
  req.connection = std::string(field(4));
  req.version = field(5) == "10" ? 10 : 11;
  if (field(5).size() > 2) req.version = 20;  // anything else: 505
  req.has_body = field(6) == "1";

  check_target(field(0));
  check_range(field(1), file_size);
  check_range(field(1), 0);
  check_plan(req, file_size);
  return 0;
}
