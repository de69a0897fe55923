#include "http/router.h"

#include <map>

#include <gtest/gtest.h>

namespace pxed::http {
namespace {

constexpr std::int64_t kMtime = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
constexpr const char* kLastModified = "Sun, 06 Nov 1994 08:49:37 GMT";

// A fake file tree: what FileRoot would say for each normalised path.
Result<FileMeta> lookup(const std::string& path) {
  static const std::map<std::string, std::uint64_t> files = {
      {"vmlinuz", 1000}, {"ipxe.efi", 2048}, {"boot.ipxe", 30}, {"empty", 0}};
  if (path == "dir") return fail(Errc::access_denied, "not a regular file");
  if (path == "broken") return fail(Errc::io, "EIO");
  auto it = files.find(path);
  if (it == files.end()) return fail(Errc::not_found, "no such file");
  return FileMeta{it->second, kMtime};
}

Request get(std::string target, std::string method = "GET") {
  Request r;
  r.method = std::move(method);
  r.target = std::move(target);
  return r;
}

ResponsePlan plan(const Request& r) {
  return plan_response(r, lookup);
}

std::string header(const ResponsePlan& p, std::string_view name) {
  const std::string* v = p.header(name);
  return v ? *v : "<absent>";
}

TEST(Router, GetWholeFile) {
  auto p = plan(get("/vmlinuz"));
  EXPECT_EQ(p.status, 200u);
  EXPECT_EQ(p.path, "vmlinuz");
  EXPECT_EQ(header(p, "Content-Length"), "1000");
  EXPECT_EQ(header(p, "Content-Type"), "application/octet-stream");
  EXPECT_EQ(header(p, "Last-Modified"), kLastModified);
  EXPECT_EQ(header(p, "Accept-Ranges"), "bytes");
  EXPECT_EQ(header(p, "Content-Range"), "<absent>");
  EXPECT_EQ(header(p, "Connection"), "<absent>");
  ASSERT_TRUE(p.file_range);
  EXPECT_EQ(*p.file_range, (ByteRange{0, 1000}));
  EXPECT_TRUE(p.body.empty());
  EXPECT_TRUE(p.keep_alive);
}

TEST(Router, ContentTypes) {
  EXPECT_EQ(header(plan(get("/ipxe.efi")), "Content-Type"), "application/efi");
  EXPECT_EQ(header(plan(get("/boot.ipxe")), "Content-Type"), "text/plain");
}

TEST(Router, HeadHasHeadersButNoBody) {
  auto p = plan(get("/vmlinuz", "HEAD"));
  EXPECT_EQ(p.status, 200u);
  EXPECT_EQ(header(p, "Content-Length"), "1000");
  EXPECT_FALSE(p.file_range);
  EXPECT_TRUE(p.body.empty());

  auto missing = plan(get("/nope", "HEAD"));
  EXPECT_EQ(missing.status, 404u);
  EXPECT_NE(header(missing, "Content-Length"), "0");
  EXPECT_TRUE(missing.body.empty());
}

TEST(Router, EmptyFile) {
  auto p = plan(get("/empty"));
  EXPECT_EQ(p.status, 200u);
  EXPECT_EQ(header(p, "Content-Length"), "0");
  EXPECT_FALSE(p.file_range);
}

TEST(Router, SingleRange) {
  auto r = get("/vmlinuz");
  r.range = "bytes=10-99";
  auto p = plan(r);
  EXPECT_EQ(p.status, 206u);
  EXPECT_EQ(header(p, "Content-Range"), "bytes 10-99/1000");
  EXPECT_EQ(header(p, "Content-Length"), "90");
  EXPECT_EQ(*p.file_range, (ByteRange{10, 90}));

  r.range = "bytes=-100";
  p = plan(r);
  EXPECT_EQ(header(p, "Content-Range"), "bytes 900-999/1000");

  r.range = "bytes=990-";
  r.method = "HEAD";
  p = plan(r);
  EXPECT_EQ(p.status, 206u);
  EXPECT_EQ(header(p, "Content-Length"), "10");
  EXPECT_FALSE(p.file_range);
}

TEST(Router, UnsatisfiableRangeIs416) {
  auto r = get("/vmlinuz");
  r.range = "bytes=1000-";
  auto p = plan(r);
  EXPECT_EQ(p.status, 416u);
  EXPECT_EQ(header(p, "Content-Range"), "bytes */1000");
  EXPECT_FALSE(p.file_range);
  EXPECT_TRUE(p.keep_alive);

  r.target = "/empty";
  r.range = "bytes=0-";
  EXPECT_EQ(plan(r).status, 416u);
}

TEST(Router, MultiRangeAndIfRangeMismatchGiveWholeFile) {
  auto r = get("/vmlinuz");
  r.range = "bytes=0-1,5-6";
  EXPECT_EQ(plan(r).status, 200u);

  r.range = "bytes=0-1";
  r.if_range = "\"some-etag\"";
  EXPECT_EQ(plan(r).status, 200u);
  r.if_range = "Mon, 07 Nov 1994 08:49:37 GMT";
  EXPECT_EQ(plan(r).status, 200u);
  r.if_range = kLastModified;
  EXPECT_EQ(plan(r).status, 206u);
}

TEST(Router, KeepAliveRules) {
  EXPECT_TRUE(wants_keep_alive(11, ""));
  EXPECT_FALSE(wants_keep_alive(11, "close"));
  EXPECT_FALSE(wants_keep_alive(11, "Upgrade, Close"));
  EXPECT_FALSE(wants_keep_alive(10, ""));
  EXPECT_TRUE(wants_keep_alive(10, "Keep-Alive"));
  EXPECT_FALSE(wants_keep_alive(10, "keep-alive, close"));

  auto r = get("/vmlinuz");
  r.connection = "close";
  auto p = plan(r);
  EXPECT_FALSE(p.keep_alive);
  EXPECT_EQ(header(p, "Connection"), "close");

  r.version = 10;
  r.connection = "";
  p = plan(r);
  EXPECT_FALSE(p.keep_alive);
  EXPECT_EQ(header(p, "Connection"), "close");

  r.connection = "keep-alive";
  p = plan(r);
  EXPECT_TRUE(p.keep_alive);
  EXPECT_EQ(header(p, "Connection"), "keep-alive");

  // A 404 keeps the connection; a 400 closes it.
  EXPECT_TRUE(plan(get("/nope")).keep_alive);
  auto bad = plan(get("/a%zz"));
  EXPECT_EQ(bad.status, 400u);
  EXPECT_FALSE(bad.keep_alive);
  EXPECT_EQ(header(bad, "Connection"), "close");
}

TEST(Router, PercentDecodingAndQuery) {
  auto p = plan(get("/vm%6Cinuz?arch=x64"));
  EXPECT_EQ(p.status, 200u);
  EXPECT_EQ(p.path, "vmlinuz");
  EXPECT_EQ(plan(get("http://198.18.0.1:8080/boot.ipxe")).status, 200u);
}

TEST(Router, TraversalIs403) {
  for (std::string t : {"/../etc/passwd", "/a/../../etc/passwd", "/%2e%2e/etc/passwd",
                        "/..%2fetc%2fpasswd", "/..%5cetc", "/a%00b"}) {
    auto routed = route_request(get(t));
    auto* p = std::get_if<ResponsePlan>(&routed);
    ASSERT_NE(p, nullptr) << t << " reached the file system";
    EXPECT_EQ(p->status, 403u) << t;
    EXPECT_FALSE(p->file_range);
  }
}

TEST(Router, NotFoundForbiddenAndErrors) {
  EXPECT_EQ(plan(get("/nope")).status, 404u);
  EXPECT_EQ(plan(get("/")).status, 404u);
  EXPECT_EQ(plan(get("/dir")).status, 403u);
  EXPECT_EQ(plan(get("/broken")).status, 500u);
  auto p = plan(get("/nope"));
  EXPECT_EQ(p.body, "404 Not Found\n");
  EXPECT_EQ(header(p, "Content-Length"), "14");
}

TEST(Router, OtherMethodsAre405) {
  auto p = plan(get("/vmlinuz", "POST"));
  EXPECT_EQ(p.status, 405u);
  EXPECT_EQ(header(p, "Allow"), "GET, HEAD");
  EXPECT_TRUE(p.keep_alive);
  EXPECT_EQ(plan(get("/vmlinuz", "get")).status, 405u);  // methods are case-sensitive

  auto with_body = get("/vmlinuz", "PUT");
  with_body.has_body = true;
  p = plan(with_body);
  EXPECT_EQ(p.status, 405u);
  EXPECT_FALSE(p.keep_alive);
}

TEST(Router, BodiesAndVersions) {
  auto r = get("/vmlinuz");
  r.has_body = true;
  auto p = plan(r);
  EXPECT_EQ(p.status, 413u);
  EXPECT_FALSE(p.keep_alive);

  r.has_body = false;
  r.version = 20;
  p = plan(r);
  EXPECT_EQ(p.status, 505u);
  EXPECT_FALSE(p.keep_alive);
}

TEST(Router, PlanErrorForTheIoLayer) {
  auto p = plan_error(431, false, false);
  EXPECT_EQ(p.status, 431u);
  EXPECT_FALSE(p.keep_alive);
  EXPECT_EQ(header(p, "Connection"), "close");
  EXPECT_EQ(p.body, "431 Request Header Fields Too Large\n");
}

}  // namespace
}  // namespace pxed::http
