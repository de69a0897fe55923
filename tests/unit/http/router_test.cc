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

constexpr const char* kEtag = "\"3e8-ae1b981bc490a00\"";  // 1000 bytes, kMtime

// The bytes the connection would send after the head: a fake file whose byte i is 'a' + i % 26.
std::string render_body(const ResponsePlan& p) {
  auto file_bytes = [](ByteRange r) {
    std::string s;
    for (std::uint64_t i = r.first; i < r.first + r.length; ++i)
      s.push_back(static_cast<char>('a' + i % 26));
    return s;
  };
  std::string out = p.body;
  if (p.file_range) out += file_bytes(*p.file_range);
  for (const BodyPart& part : p.parts) out += part.file ? file_bytes(*part.file) : part.text;
  return out;
}

TEST(Router, EtagOnFiles) {
  auto p = plan(get("/vmlinuz"));
  EXPECT_EQ(header(p, "ETag"), kEtag);
  auto r = get("/vmlinuz");
  r.range = "bytes=0-9";
  EXPECT_EQ(header(plan(r), "ETag"), kEtag);
  EXPECT_EQ(header(plan(get("/vmlinuz", "HEAD")), "ETag"), kEtag);
  EXPECT_EQ(header(plan(get("/nope")), "ETag"), "<absent>");

  FileWanted want{"vmlinuz"};
  FileMeta meta{1000, kMtime, kMtime * 1000000000 + 123456789};
  EXPECT_EQ(header(plan_file_response(get("/vmlinuz"), want, meta), "ETag"),
            "\"3e8-ae1b981c3a4d715\"");
  meta.mtime_ns += 1;  // a rewrite within the same second changes the tag, not Last-Modified
  auto later = plan_file_response(get("/vmlinuz"), want, meta);
  EXPECT_EQ(header(later, "ETag"), "\"3e8-ae1b981c3a4d716\"");
  EXPECT_EQ(header(later, "Last-Modified"), kLastModified);
}

TEST(Router, EtagOfGeneratedBytes) {
  FileWanted want{"boot.ipxe"};
  FileMeta meta{26, kMtime, 0, true, 0x85944171f73967e8ULL};
  auto p = plan_file_response(get("/boot.ipxe"), want, meta);
  EXPECT_EQ(header(p, "ETag"), "\"g-1a-85944171f73967e8\"");

  meta.content_hash.reset();  // no hash: no tag, only "*" matches
  p = plan_file_response(get("/boot.ipxe"), want, meta);
  EXPECT_EQ(header(p, "ETag"), "<absent>");
  auto r = get("/boot.ipxe");
  r.if_none_match = "*";
  EXPECT_EQ(plan_file_response(r, want, meta).status, 304u);
  r.if_none_match = "\"g-1a-85944171f73967e8\"";
  EXPECT_EQ(plan_file_response(r, want, meta).status, 200u);

  // Generated bytes have no real date: If-Modified-Since and a date in If-Range do nothing.
  r = get("/boot.ipxe");
  r.if_modified_since = "Sun, 06 Nov 2050 08:49:37 GMT";
  EXPECT_EQ(plan_file_response(r, want, meta).status, 200u);
  r = get("/boot.ipxe");
  r.range = "bytes=0-1";
  r.if_range = kLastModified;
  EXPECT_EQ(plan_file_response(r, want, meta).status, 200u);
}

TEST(Router, IfNoneMatchGives304) {
  for (std::string inm : {std::string(kEtag), "W/" + std::string(kEtag),
                          "\"other\", " + std::string(kEtag), std::string("*")}) {
    for (const char* method : {"GET", "HEAD"}) {
      auto r = get("/vmlinuz", method);
      r.if_none_match = inm;
      auto p = plan(r);
      EXPECT_EQ(p.status, 304u) << inm << " " << method;
      EXPECT_EQ(header(p, "ETag"), kEtag);
      EXPECT_EQ(header(p, "Last-Modified"), kLastModified);
      EXPECT_EQ(header(p, "Content-Length"), "<absent>");
      EXPECT_EQ(header(p, "Content-Type"), "<absent>");
      EXPECT_TRUE(p.body.empty());
      EXPECT_FALSE(p.file_range);
      EXPECT_TRUE(p.parts.empty());
      EXPECT_TRUE(p.keep_alive);
      EXPECT_EQ(body_length(p), 0u);
    }
  }
  auto r = get("/vmlinuz");
  r.if_none_match = "\"3e8-0\"";
  EXPECT_EQ(plan(r).status, 200u);
  r.if_none_match = "garbage";
  EXPECT_EQ(plan(r).status, 200u);
  // If-None-Match takes precedence: a stale tag gives 200 even with a matching date.
  r.if_none_match = "\"3e8-0\"";
  r.if_modified_since = kLastModified;
  EXPECT_EQ(plan(r).status, 200u);
  // ... and a matching one 304 whatever the date says.
  r.if_none_match = kEtag;
  r.if_modified_since = "Mon, 01 Jan 1990 00:00:00 GMT";
  EXPECT_EQ(plan(r).status, 304u);
  // A missing file stays 404.
  auto missing = get("/nope");
  missing.if_none_match = "*";
  EXPECT_EQ(plan(missing).status, 404u);
}

TEST(Router, IfModifiedSinceGives304) {
  auto r = get("/vmlinuz");
  r.if_modified_since = kLastModified;
  auto p = plan(r);
  EXPECT_EQ(p.status, 304u);
  EXPECT_EQ(header(p, "ETag"), kEtag);
  r.if_modified_since = "Sunday, 06-Nov-94 08:49:37 GMT";
  EXPECT_EQ(plan(r).status, 304u);
  r.if_modified_since = "Mon, 07 Nov 1994 00:00:00 GMT";  // later
  EXPECT_EQ(plan(r).status, 304u);
  r.if_modified_since = "Sun, 06 Nov 1994 08:49:36 GMT";  // a second earlier
  EXPECT_EQ(plan(r).status, 200u);
  r.if_modified_since = "not a date";
  EXPECT_EQ(plan(r).status, 200u);
  r.method = "HEAD";
  r.if_modified_since = kLastModified;
  EXPECT_EQ(plan(r).status, 304u);
}

TEST(Router, IfRange) {
  auto r = get("/vmlinuz");
  r.range = "bytes=0-1";
  r.if_range = kEtag;
  EXPECT_EQ(plan(r).status, 206u);
  r.if_range = "W/" + std::string(kEtag);  // weak: never a strong match
  EXPECT_EQ(plan(r).status, 200u);
  r.if_range = "\"some-etag\"";
  auto stale = plan(r);
  EXPECT_EQ(stale.status, 200u);
  EXPECT_EQ(header(stale, "Content-Length"), "1000");
  EXPECT_EQ(*stale.file_range, (ByteRange{0, 1000}));
  r.if_range = "Mon, 07 Nov 1994 08:49:37 GMT";
  EXPECT_EQ(plan(r).status, 200u);
  r.if_range = kLastModified;
  EXPECT_EQ(plan(r).status, 206u);
  r.if_range = "Sun Nov  6 08:49:37 1994";  // the same date in asctime form
  EXPECT_EQ(plan(r).status, 206u);
  r.if_range = "garbage";
  EXPECT_EQ(plan(r).status, 200u);
  r.range = "bytes=0-1,5-6";  // also for several ranges
  r.if_range = kEtag;
  EXPECT_EQ(plan(r).status, 206u);
  r.if_range = "\"stale\"";
  EXPECT_EQ(plan(r).status, 200u);
}

TEST(Router, MultipleRangesAreMultipart) {
  auto r = get("/vmlinuz");
  r.range = "bytes=0-99,200-299";
  auto p = plan(r);
  EXPECT_EQ(p.status, 206u);
  const std::string type = header(p, "Content-Type");
  const std::string prefix = "multipart/byteranges; boundary=";
  ASSERT_EQ(type.rfind(prefix, 0), 0u) << type;
  const std::string boundary = type.substr(prefix.size());
  EXPECT_EQ(boundary.size(), 21u);
  EXPECT_EQ(boundary.rfind("pxed-", 0), 0u);
  EXPECT_EQ(header(p, "Content-Range"), "<absent>");
  EXPECT_EQ(header(p, "ETag"), kEtag);
  EXPECT_EQ(header(p, "Accept-Ranges"), "bytes");
  EXPECT_FALSE(p.file_range);
  EXPECT_TRUE(p.body.empty());

  ASSERT_EQ(p.parts.size(), 5u);
  EXPECT_EQ(p.parts[0].text, "--" + boundary +
                                 "\r\nContent-Type: application/octet-stream\r\n"
                                 "Content-Range: bytes 0-99/1000\r\n\r\n");
  EXPECT_EQ(p.parts[1].file, (ByteRange{0, 100}));
  EXPECT_EQ(p.parts[2].text, "\r\n--" + boundary +
                                 "\r\nContent-Type: application/octet-stream\r\n"
                                 "Content-Range: bytes 200-299/1000\r\n\r\n");
  EXPECT_EQ(p.parts[3].file, (ByteRange{200, 100}));
  EXPECT_EQ(p.parts[4].text, "\r\n--" + boundary + "--\r\n");

  const std::string body = render_body(p);
  EXPECT_EQ(header(p, "Content-Length"), std::to_string(body.size()));
  EXPECT_EQ(body_length(p), body.size());
  std::string want = p.parts[0].text;
  for (int i = 0; i < 100; ++i) want.push_back(static_cast<char>('a' + i % 26));
  want += p.parts[2].text;
  for (int i = 200; i < 300; ++i) want.push_back(static_cast<char>('a' + i % 26));
  want += p.parts[4].text;
  EXPECT_EQ(body, want);

  // The same request plans the same boundary; another range set another one.
  EXPECT_EQ(header(plan(r), "Content-Type"), type);
  r.range = "bytes=0-99,300-399";
  EXPECT_NE(header(plan(r), "Content-Type"), type);

  // HEAD: the same Content-Length, no parts.
  r.range = "bytes=0-99,200-299";
  r.method = "HEAD";
  auto h = plan(r);
  EXPECT_EQ(h.status, 206u);
  EXPECT_EQ(header(h, "Content-Length"), std::to_string(body.size()));
  EXPECT_TRUE(h.parts.empty());
  EXPECT_EQ(body_length(h), 0u);
}

TEST(Router, MultipartLengthIsExactForManyShapes) {
  for (const char* range : {"bytes=0-0,999-999", "bytes=-1,0-0,500-", "bytes=0-9,20-29,40-49",
                            "bytes=900-,0-0,10-10,20-20,30-30"}) {
    auto r = get("/vmlinuz");
    r.range = range;
    auto p = plan(r);
    EXPECT_EQ(p.status, 206u) << range;
    EXPECT_EQ(header(p, "Content-Length"), std::to_string(render_body(p).size())) << range;
  }
  auto r = get("/ipxe.efi");
  r.range = "bytes=0-1,4-5";
  auto p = plan(r);
  ASSERT_FALSE(p.parts.empty());
  EXPECT_NE(p.parts[0].text.find("Content-Type: application/efi\r\n"), std::string::npos);
  EXPECT_EQ(header(p, "Content-Length"), std::to_string(render_body(p).size()));
}

TEST(Router, RangeSetsThatCollapseOrFail) {
  auto r = get("/vmlinuz");
  r.range = "bytes=0-99,50-149,150-199";  // coalesced into one: a plain 206
  auto p = plan(r);
  EXPECT_EQ(p.status, 206u);
  EXPECT_EQ(header(p, "Content-Range"), "bytes 0-199/1000");
  EXPECT_EQ(header(p, "Content-Type"), "application/octet-stream");
  EXPECT_EQ(*p.file_range, (ByteRange{0, 200}));
  EXPECT_TRUE(p.parts.empty());

  r.range = "bytes=1000-,2000-";
  p = plan(r);
  EXPECT_EQ(p.status, 416u);
  EXPECT_EQ(header(p, "Content-Range"), "bytes */1000");

  std::string many = "bytes=";
  for (int i = 0; i < 17; ++i) many += std::to_string(i * 10) + "-" + std::to_string(i * 10) + ",";
  r.range = many;
  p = plan(r);
  EXPECT_EQ(p.status, 200u);  // over the limit: the whole file
  EXPECT_EQ(header(p, "Content-Length"), "1000");
}

TEST(Router, CloseAfter) {
  auto p = close_after(plan(get("/vmlinuz")));
  EXPECT_FALSE(p.keep_alive);
  EXPECT_EQ(header(p, "Connection"), "close");
  auto r = get("/vmlinuz");
  r.version = 10;
  r.connection = "keep-alive";
  p = close_after(plan(r));
  EXPECT_FALSE(p.keep_alive);
  EXPECT_EQ(header(p, "Connection"), "close");
  int connection_headers = 0;
  for (const Header& h : p.headers) connection_headers += h.name == "Connection" ? 1 : 0;
  EXPECT_EQ(connection_headers, 1);
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
