// The real server on 127.0.0.1, port 0, driven over raw sockets from the test thread while the
// io_context runs in its own thread. It serves through the name space TFTP uses: files below a
// root with generated files in front of them.
#include "http/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>

#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "core/unique_fd.h"
#include "files/name_space.h"

namespace pxed::http {
namespace {

namespace fs = std::filesystem;

struct Response {
  int status = 0;
  std::string head;
  std::string body;
};

// A blocking client with a 5 s receive timeout that keeps unread bytes between responses.
class RawClient {
 public:
  // receive_buffer: SO_RCVBUF if not 0, so that a client that does not read stalls the server.
  explicit RawClient(std::uint16_t port, int receive_buffer = 0) {
    fd_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    timeval tv{5, 0};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (receive_buffer > 0) {
      ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    }
    sockaddr_in sa{};
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = ::connect(fd_.get(), reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0;
  }
  bool connected() const { return connected_; }

  void send(const std::string& data) {
    ASSERT_EQ(::send(fd_.get(), data.data(), data.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(data.size()));
  }

  // Reads one response; a HEAD response has no body whatever its Content-Length says.
  std::optional<Response> read(bool head_request = false) {
    std::size_t end;
    while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
      if (!fill()) return std::nullopt;
    }
    Response r;
    r.head = buf_.substr(0, end + 4);
    buf_.erase(0, end + 4);
    r.status = std::stoi(r.head.substr(9, 3));
    std::size_t length = 0;
    auto cl = r.head.find("Content-Length: ");
    if (cl != std::string::npos && !head_request) length = std::stoul(r.head.substr(cl + 16));
    while (buf_.size() < length) {
      if (!fill()) return std::nullopt;
    }
    r.body = buf_.substr(0, length);
    buf_.erase(0, length);
    return r;
  }

  bool closed_by_peer() { return buf_.empty() && !fill(); }

  // What is buffered or, if nothing is, what one receive brings ("" at the end or timeout).
  std::string read_some() {
    if (buf_.empty() && !fill()) return "";
    std::string out;
    out.swap(buf_);
    return out;
  }

  // Reads until the response head is complete and leaves the rest in the socket.
  bool wait_for_head() {
    while (buf_.find("\r\n\r\n") == std::string::npos) {
      char c;
      if (::recv(fd_.get(), &c, 1, 0) != 1) return false;
      buf_ += c;
    }
    return true;
  }

 private:
  bool fill() {
    char tmp[65536];
    ssize_t n = ::recv(fd_.get(), tmp, sizeof tmp, 0);
    if (n <= 0) return false;
    buf_.append(tmp, static_cast<std::size_t>(n));
    return true;
  }

  UniqueFd fd_;
  bool connected_ = false;
  std::string buf_;
};

// The value of a response header, or "" if the head has none.
std::string field(const Response& r, const std::string& name) {
  auto at = r.head.find("\r\n" + name + ": ");
  if (at == std::string::npos) return "";
  at += name.size() + 4;
  return r.head.substr(at, r.head.find("\r\n", at) - at);
}

Bytes bytes_of(std::string_view text) {
  return Bytes(text.begin(), text.end());
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pxed-http-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    std::ofstream(dir_ / "hello.txt") << "hello, world\n";
    std::string big(300000, 'b');
    std::ofstream(dir_ / "big.bin") << big;
    fs::create_directory(dir_ / "sub");
    root_.emplace(dir_.string());
    files_.emplace(*root_);
    names_.emplace(*files_);
  }
  void TearDown() override {
    if (thread_.joinable()) {
      boost::asio::post(io_, [this] { server_->stop(); });
      thread_.join();
    }
    server_.reset();
    fs::remove_all(dir_);
  }
  void start(std::size_t max_connections = 512,
             const std::function<void(ServerConfig&)>& tweak = {}) {
    ServerConfig config;
    config.address = *Ipv4::parse("127.0.0.1");
    config.port = 0;
    config.max_connections = max_connections;
    if (tweak) tweak(config);
    server_.emplace(io_, config, *names_);
    server_->set_observer([this](const RequestRecord& r) {
      EXPECT_NE(std::this_thread::get_id(), test_thread_);  // on the server's thread
      std::lock_guard lock(records_mutex_);
      records_.push_back(r);
      observer_threads_.insert(std::this_thread::get_id());
    });
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }

  fs::path dir_;
  std::optional<FileRoot> root_;
  std::optional<files::FileNameSpace> files_;
  std::optional<files::GeneratedFiles> names_;  // in front of files_; what the server reads
  boost::asio::io_context io_;
  std::optional<Server> server_;
  std::thread thread_;
  std::thread::id test_thread_ = std::this_thread::get_id();
  std::mutex records_mutex_;
  std::vector<RequestRecord> records_;
  std::set<std::thread::id> observer_threads_;  // under records_mutex_

  // The records once there are `n` (waits up to 5 s), then 200 ms more to catch extra ones.
  std::vector<RequestRecord> records(std::size_t n) {
    for (int i = 0; i < 500; ++i) {
      {
        std::lock_guard lock(records_mutex_);
        if (records_.size() >= n) break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    std::lock_guard lock(records_mutex_);
    return records_;
  }
};

TEST_F(HttpServerTest, TwoRequestsOnOneKeptConnection) {
  start();
  RawClient c(server_->port());
  ASSERT_TRUE(c.connected());

  c.send("GET /hello.txt HTTP/1.1\r\nHost: test\r\n\r\n");
  auto r1 = c.read();
  ASSERT_TRUE(r1);
  EXPECT_EQ(r1->status, 200);
  EXPECT_EQ(r1->body, "hello, world\n");
  EXPECT_NE(r1->head.find("Content-Type: text/plain\r\n"), std::string::npos);
  EXPECT_EQ(r1->head.find("Connection: close"), std::string::npos);

  c.send("GET /big.bin HTTP/1.1\r\nHost: test\r\nRange: bytes=100-199\r\n\r\n");
  auto r2 = c.read();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 206);
  EXPECT_NE(r2->head.find("Content-Range: bytes 100-199/300000\r\n"), std::string::npos);
  EXPECT_EQ(r2->body, std::string(100, 'b'));
}

TEST_F(HttpServerTest, PipelinedRequestsHeadAndMissing) {
  start();
  RawClient c(server_->port());
  ASSERT_TRUE(c.connected());
  c.send(
      "HEAD /big.bin HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n"
      "GET /big.bin HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  auto head = c.read(true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_NE(head->head.find("Content-Length: 300000\r\n"), std::string::npos);
  auto missing = c.read();
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  auto big = c.read();
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 200);
  EXPECT_EQ(big->body.size(), 300000u);
  EXPECT_NE(big->head.find("Connection: close\r\n"), std::string::npos);
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(HttpServerTest, MalformedTraversalOversizeAndDirectory) {
  start();
  {
    RawClient c(server_->port());
    c.send("GET /../etc/passwd HTTP/1.1\r\nHost: t\r\n\r\n");
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403);
    c.send("GET /sub HTTP/1.1\r\nHost: t\r\n\r\n");
    r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 403);
  }
  {
    RawClient c(server_->port());
    c.send("GARBAGE\r\n\r\n");
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 400);
    EXPECT_TRUE(c.closed_by_peer());
  }
  {
    RawClient c(server_->port());
    c.send("GET /hello.txt HTTP/1.1\r\nX-Big: " + std::string(10000, 'x') + "\r\n\r\n");
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 431);
  }
  {
    RawClient c(server_->port());
    c.send("POST /hello.txt HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\nhello");
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 405);
    EXPECT_NE(r->head.find("Allow: GET, HEAD\r\n"), std::string::npos);
    EXPECT_TRUE(c.closed_by_peer());
  }
}

TEST_F(HttpServerTest, RefusesConnectionsOverTheLimit) {
  start(1);
  RawClient first(server_->port());
  first.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(first.read());  // the first connection is surely admitted and kept
  RawClient second(server_->port());
  second.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
  auto r = second.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 503);
}

TEST_F(HttpServerTest, PortInUseSaysSo) {
  start();
  ServerConfig config;
  config.address = *Ipv4::parse("127.0.0.1");
  config.port = server_->port();
  boost::asio::io_context other;
  try {
    Server second(other, config, *names_);
    FAIL() << "a second server bound the same port";
  } catch (const std::system_error& e) {
    std::string what = e.what();
    std::string want = "cannot listen on HTTP 127.0.0.1:" + std::to_string(config.port) + ": ";
    EXPECT_EQ(what.rfind(want, 0), 0u) << what;
  }
}

TEST_F(HttpServerTest, GeneratedFileGetHeadAndRange) {
  std::atomic<int> calls{0};
  names_->add("boot.ipxe", [&calls](const files::Requester& who) -> std::optional<Bytes> {
    ++calls;
    return bytes_of("#!ipxe\necho " + std::string(who.protocol) + " " + who.client.to_string() +
                    "\n");
  });
  start();
  const std::string text = "#!ipxe\necho http 127.0.0.1\n";
  const std::string size = std::to_string(text.size());
  RawClient c(server_->port());
  ASSERT_TRUE(c.connected());

  c.send("GET /boot.ipxe HTTP/1.1\r\nHost: t\r\n\r\n");
  auto whole = c.read();
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 200);
  EXPECT_EQ(whole->body, text);
  EXPECT_EQ(field(*whole, "Content-Type"), "text/plain");
  EXPECT_EQ(field(*whole, "Content-Length"), size);
  EXPECT_EQ(field(*whole, "Accept-Ranges"), "bytes");
  EXPECT_NE(field(*whole, "Last-Modified"), "");

  // HEAD: the same head, no body (a stray body would garble the next response).
  c.send("HEAD /boot.ipxe HTTP/1.1\r\nHost: t\r\n\r\n");
  auto head = c.read(true);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(field(*head, "Content-Length"), size);
  EXPECT_EQ(field(*head, "Content-Type"), "text/plain");

  c.send("GET /boot.ipxe HTTP/1.1\r\nHost: t\r\nRange: bytes=7-10\r\n\r\n");
  auto part = c.read();
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, text.substr(7, 4));
  EXPECT_EQ(field(*part, "Content-Range"), "bytes 7-10/" + size);

  c.send("GET /boot.ipxe HTTP/1.1\r\nHost: t\r\nRange: bytes=-5\r\n\r\n");
  auto tail = c.read();
  ASSERT_TRUE(tail);
  EXPECT_EQ(tail->status, 206);
  EXPECT_EQ(tail->body, text.substr(text.size() - 5));

  c.send("GET /boot.ipxe HTTP/1.1\r\nHost: t\r\nRange: bytes=500-\r\n\r\n");
  auto past = c.read();
  ASSERT_TRUE(past);
  EXPECT_EQ(past->status, 416);
  EXPECT_EQ(field(*past, "Content-Range"), "bytes */" + size);

  c.send("GET /boot.ipxe HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  auto last = c.read();
  ASSERT_TRUE(last);
  EXPECT_EQ(last->status, 200);
  EXPECT_EQ(last->body, text);
  EXPECT_TRUE(c.closed_by_peer());
  EXPECT_EQ(calls.load(), 6);  // rendered for every request, HEAD and 416 too
}

TEST_F(HttpServerTest, EfiTypeAndGeneratorsThatFallThrough) {
  write_file(dir_ / "real.efi", "MZ real");
  names_->add("ipxe.efi",
              [](const files::Requester&) { return std::optional(bytes_of("MZ gen")); });
  names_->add("hello.txt", [](const files::Requester&) { return std::optional<Bytes>(); });
  start();
  RawClient c(server_->port());
  c.send("GET /ipxe.efi HTTP/1.1\r\nHost: t\r\n\r\n");
  auto generated = c.read();
  ASSERT_TRUE(generated);
  EXPECT_EQ(generated->body, "MZ gen");
  EXPECT_EQ(field(*generated, "Content-Type"), "application/efi");
  c.send("GET /real.efi HTTP/1.1\r\nHost: t\r\n\r\n");
  auto real = c.read();
  ASSERT_TRUE(real);
  EXPECT_EQ(real->body, "MZ real");
  EXPECT_EQ(field(*real, "Content-Type"), "application/efi");
  c.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");  // the generator declines: the file
  auto fallen = c.read();
  ASSERT_TRUE(fallen);
  EXPECT_EQ(fallen->status, 200);
  EXPECT_EQ(fallen->body, "hello, world\n");
}

// A real file's body goes from its descriptor while it is sent (sendfile), not from a copy made
// when the request came: bytes changed after the head left arrive changed.
TEST_F(HttpServerTest, RealFileBodyIsSentFromTheDescriptor) {
  const off_t size = 32 << 20;  // far more than socket buffers hold
  const fs::path path = dir_ / "huge.img";
  {
    UniqueFd f(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    ASSERT_TRUE(f.valid());
    ASSERT_EQ(::ftruncate(f.get(), size), 0);  // sparse: zeros
    ASSERT_EQ(::pwrite(f.get(), "old!", 4, size - 4), 4);
  }
  start();
  RawClient c(server_->port(), 64 * 1024);
  c.send("GET /huge.img HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(c.wait_for_head());
  {
    UniqueFd f(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    ASSERT_TRUE(f.valid());
    ASSERT_EQ(::pwrite(f.get(), "new!", 4, size - 4), 4);
  }
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  ASSERT_EQ(r->body.size(), static_cast<std::size_t>(size));
  EXPECT_EQ(r->body.substr(r->body.size() - 4), "new!");
}

// Once a response is done the connection lets go of the file, so the name space's shared
// descriptor is not kept alive by it (on a kept connection either): a file replaced on disk is
// served new at once, not up to a second later.
TEST_F(HttpServerTest, FileReplacedOnDiskIsServedNewAtOnce) {
  start();
  RawClient c(server_->port());
  c.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
  auto before = c.read();
  ASSERT_TRUE(before);
  EXPECT_EQ(before->body, "hello, world\n");
  write_file(dir_ / "hello.new", "hello again, a longer world\n");
  fs::rename(dir_ / "hello.new", dir_ / "hello.txt");
  c.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
  auto after = c.read();
  ASSERT_TRUE(after);
  EXPECT_EQ(after->body, "hello again, a longer world\n");
}

// Another reader (a TFTP transfer) shares the descriptor. A file rewritten in place is served as
// it is now; a file replaced by another is served whole, old or new, never a mix, and its
// Content-Length and body agree.
TEST_F(HttpServerTest, FileChangedWhileSharedIsServedConsistently) {
  const files::Requester tftp{*Ipv4::parse("127.0.0.1"), "tftp"};
  start();
  RawClient c(server_->port());
  {
    auto held = files_->open("hello.txt", tftp);
    ASSERT_TRUE(held);
    write_file(dir_ / "hello.txt", "rewritten in place, and longer\n");
    c.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->body, "rewritten in place, and longer\n");
    EXPECT_EQ(field(*r, "Content-Length"), std::to_string(r->body.size()));
  }
  {
    auto held = files_->open("big.bin", tftp);
    ASSERT_TRUE(held);
    write_file(dir_ / "big.new", "small now\n");
    fs::rename(dir_ / "big.new", dir_ / "big.bin");
    c.send("GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\n");
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(field(*r, "Content-Length"), std::to_string(r->body.size()));
    EXPECT_TRUE(r->body == std::string(300000, 'b') || r->body == "small now\n")
        << r->body.size() << " bytes";
  }
}

TEST_F(HttpServerTest, EtagConditionalsOverTheWire) {
  start();
  RawClient c(server_->port());
  c.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
  auto first = c.read();
  ASSERT_TRUE(first);
  const std::string etag = field(*first, "ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_EQ(etag.front(), '"');
  const std::string last_modified = field(*first, "Last-Modified");

  c.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-None-Match: " + etag + "\r\n\r\n");
  auto cached = c.read();
  ASSERT_TRUE(cached);
  EXPECT_EQ(cached->status, 304);
  EXPECT_EQ(field(*cached, "ETag"), etag);
  EXPECT_EQ(field(*cached, "Content-Length"), "");
  EXPECT_TRUE(cached->body.empty());

  c.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\nIf-Modified-Since: " + last_modified +
         "\r\n\r\n");
  auto not_modified = c.read();
  ASSERT_TRUE(not_modified);
  EXPECT_EQ(not_modified->status, 304);

  c.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=0-4\r\nIf-Range: " + etag +
         "\r\n\r\n");
  auto part = c.read();
  ASSERT_TRUE(part);
  EXPECT_EQ(part->status, 206);
  EXPECT_EQ(part->body, "hello");

  c.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\nRange: bytes=0-4\r\nIf-Range: \"old\"\r\n\r\n");
  auto whole = c.read();
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->status, 200);
  EXPECT_EQ(whole->body, "hello, world\n");
  // The connection still works after a 304 without a body.
  c.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
  auto again = c.read();
  ASSERT_TRUE(again);
  EXPECT_EQ(field(*again, "ETag"), etag);
}

TEST_F(HttpServerTest, MultipartRangesOfRealAndGeneratedFiles) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text.push_back(static_cast<char>('A' + i % 50));
  write_file(dir_ / "letters.bin", text);
  names_->add("gen.txt", [](const files::Requester&) {
    return std::optional(bytes_of("0123456789abcdefghij"));
  });
  start();
  RawClient c(server_->port());
  for (const char* path : {"/letters.bin", "/gen.txt"}) {
    c.send(std::string("GET ") + path + " HTTP/1.1\r\nHost: t\r\nRange: bytes=0-1,10-12\r\n\r\n");
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 206) << path;
    const std::string type = field(*r, "Content-Type");
    ASSERT_EQ(type.rfind("multipart/byteranges; boundary=", 0), 0u) << type;
    const std::string boundary = type.substr(31);
    const std::string source = path == std::string("/gen.txt") ? "0123456789abcdefghij" : text;
    const std::string part_type =
        path == std::string("/gen.txt") ? "text/plain" : "application/octet-stream";
    const std::string size = std::to_string(source.size());
    const std::string want = "--" + boundary + "\r\nContent-Type: " + part_type +
                             "\r\nContent-Range: bytes 0-1/" + size + "\r\n\r\n" +
                             source.substr(0, 2) + "\r\n--" + boundary +
                             "\r\nContent-Type: " + part_type + "\r\nContent-Range: bytes 10-12/" +
                             size + "\r\n\r\n" + source.substr(10, 3) + "\r\n--" + boundary +
                             "--\r\n";
    EXPECT_EQ(r->body, want) << path;
    EXPECT_EQ(field(*r, "Content-Length"), std::to_string(want.size()));
  }
  // A generated file's tag comes from its bytes: stable across renderings.
  c.send("GET /gen.txt HTTP/1.1\r\nHost: t\r\n\r\n");
  auto g1 = c.read();
  ASSERT_TRUE(g1);
  const std::string etag = field(*g1, "ETag");
  EXPECT_EQ(etag.rfind("\"g-14-", 0), 0u) << etag;
  c.send("GET /gen.txt HTTP/1.1\r\nHost: t\r\nIf-None-Match: " + etag + "\r\n\r\n");
  auto g2 = c.read();
  ASSERT_TRUE(g2);
  EXPECT_EQ(g2->status, 304);
}

TEST_F(HttpServerTest, RequestLimitClosesAfterTheLast) {
  start(512, [](ServerConfig& c) { c.max_requests_per_connection = 2; });
  RawClient c(server_->port());
  c.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"
         "GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
  auto r1 = c.read();
  ASSERT_TRUE(r1);
  EXPECT_EQ(field(*r1, "Connection"), "");
  auto r2 = c.read();
  ASSERT_TRUE(r2);
  EXPECT_EQ(r2->status, 200);
  EXPECT_EQ(field(*r2, "Connection"), "close");
  EXPECT_TRUE(c.closed_by_peer());  // the third request is not answered
}

TEST_F(HttpServerTest, SlowHeadersGet408WithoutStallingOthers) {
  start(512, [](ServerConfig& c) { c.header_timeout = std::chrono::seconds(1); });
  RawClient slow(server_->port());
  slow.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n");  // never finished
  RawClient other(server_->port());
  other.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
  auto fine = other.read();
  ASSERT_TRUE(fine);
  EXPECT_EQ(fine->status, 200);
  auto start_wait = std::chrono::steady_clock::now();
  auto r = slow.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 408);
  EXPECT_EQ(field(*r, "Connection"), "close");
  EXPECT_LT(std::chrono::steady_clock::now() - start_wait, std::chrono::seconds(4));
  EXPECT_TRUE(slow.closed_by_peer());
}

TEST_F(HttpServerTest, LongRequestLineIs414AndBigHeadersAre431) {
  start();
  {
    RawClient c(server_->port());
    c.send("GET /" + std::string(10000, 'a') + " HTTP/1.1\r\nHost: t\r\n\r\n");
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 414);
    EXPECT_TRUE(c.closed_by_peer());
  }
  {
    RawClient c(server_->port());
    c.send("GET /hello.txt HTTP/1.1\r\nCookie: " + std::string(20000, 'c') + "\r\n\r\n");
    auto r = c.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 431);
  }
}

TEST_F(HttpServerTest, ObserverGetsOneRecordPerResponse) {
  start();
  {
    RawClient c(server_->port());
    c.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n"
           "HEAD /big.bin HTTP/1.1\r\nHost: t\r\n\r\n"
           "GET /big.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=100-199\r\n\r\n"
           "GET /big.bin HTTP/1.1\r\nHost: t\r\nRange: bytes=0-0,2-2\r\n\r\n"
           "GET /nope HTTP/1.1\r\nHost: t\r\n\r\n");
    for (bool head : {false, true, false, false, false}) ASSERT_TRUE(c.read(head));
    RawClient bad(server_->port());
    bad.send("GARBAGE\r\n\r\n");
    ASSERT_TRUE(bad.read());
  }
  auto got = records(6);
  ASSERT_EQ(got.size(), 6u);
  // The bad client may be answered before the pipelined ones finish; sort by what they are.
  auto find = [&](const std::string& method, const std::string& path, unsigned status) {
    for (const RequestRecord& r : got) {
      if (r.method == method && r.path == path && r.status == status) return r;
    }
    ADD_FAILURE() << "no record for " << method << " " << path << " " << status;
    return RequestRecord{};
  };
  auto hello = find("GET", "hello.txt", 200);
  EXPECT_EQ(hello.client, *Ipv4::parse("127.0.0.1"));
  EXPECT_EQ(hello.bytes_sent, 13u);
  EXPECT_EQ(hello.bytes_planned, 13u);
  EXPECT_FALSE(hello.cut_short);
  EXPECT_TRUE(hello.error.empty());
  EXPECT_TRUE(hello.content_range.empty());
  EXPECT_GE(hello.seconds, 0.0);
  auto head = find("HEAD", "big.bin", 200);
  EXPECT_EQ(head.bytes_planned, 0u);
  auto range = find("GET", "big.bin", 206);
  EXPECT_EQ(range.content_range, "bytes 100-199/300000");
  EXPECT_EQ(range.bytes_sent, 100u);
  auto missing = find("GET", "nope", 404);
  EXPECT_EQ(missing.bytes_sent, 14u);
  auto garbage = find("-", "", 400);
  EXPECT_FALSE(garbage.cut_short);
  std::size_t multipart = 0;
  for (const RequestRecord& r : got) {
    if (r.status == 206 && r.content_range.empty()) {
      ++multipart;
      EXPECT_GT(r.bytes_sent, 2u);
      EXPECT_EQ(r.bytes_sent, r.bytes_planned);
    }
  }
  EXPECT_EQ(multipart, 1u);
}

TEST_F(HttpServerTest, ObserverSeesResponsesCutShort) {
  const fs::path path = dir_ / "huge.img";
  {
    UniqueFd f(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    ASSERT_TRUE(f.valid());
    ASSERT_EQ(::ftruncate(f.get(), 64 << 20), 0);
  }
  start();
  {
    RawClient c(server_->port(), 64 * 1024);
    c.send("GET /huge.img HTTP/1.1\r\nHost: t\r\n\r\n");
    ASSERT_TRUE(c.wait_for_head());
  }  // gone before reading the body
  auto got = records(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].status, 200u);
  EXPECT_TRUE(got[0].cut_short);
  EXPECT_FALSE(got[0].error.empty());
  EXPECT_EQ(got[0].bytes_planned, 64u << 20);
  EXPECT_LT(got[0].bytes_sent, got[0].bytes_planned);
}

TEST_F(HttpServerTest, ObserverSeesResponsesCutByStop) {
  const fs::path path = dir_ / "huge.img";
  {
    UniqueFd f(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    ASSERT_TRUE(f.valid());
    ASSERT_EQ(::ftruncate(f.get(), 64 << 20), 0);
  }
  start();
  RawClient c(server_->port(), 64 * 1024);
  c.send("GET /huge.img HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(c.wait_for_head());  // the response is stuck: the client does not read
  boost::asio::post(io_, [this] { server_->stop(); });
  thread_.join();
  std::lock_guard lock(records_mutex_);
  ASSERT_EQ(records_.size(), 1u);
  EXPECT_TRUE(records_[0].cut_short);
  EXPECT_EQ(records_[0].error, "the connection was closed by the server");
}

// Connections kept open at once go to the loops in turn; each loop serves its own clients while
// the others serve theirs.
TEST_F(HttpServerTest, SeveralLoopsServeConcurrentClients) {
  constexpr unsigned kLoops = 4;
  constexpr int kClients = 8;
  constexpr int kRounds = 10;
  start(512, [](ServerConfig& c) { c.threads = kLoops; });
  std::vector<std::unique_ptr<RawClient>> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<RawClient>(server_->port()));
    ASSERT_TRUE(clients.back()->connected());
    clients.back()->send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
    auto r = clients.back()->read();  // admitted before the next one connects
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (auto& client : clients) {
    threads.emplace_back([&good, c = client.get()] {
      for (int round = 0; round < kRounds; ++round) {
        c->send(
            "GET /big.bin HTTP/1.1\r\nHost: t\r\n\r\nGET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
        auto big = c->read();
        auto hello = c->read();
        if (big && big->status == 200 && big->body == std::string(300000, 'b') && hello &&
            hello->body == "hello, world\n") {
          ++good;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), kClients * kRounds);
  const std::size_t total = kClients * (1 + 2 * kRounds);
  auto got = records(total);
  EXPECT_EQ(got.size(), total);
  std::lock_guard lock(records_mutex_);
  EXPECT_EQ(observer_threads_.size(), kLoops);  // two connections on each loop
}

// Several loops: the 503 limit counts the connections of all of them, and a connection that
// closes on another loop frees its place.
TEST_F(HttpServerTest, ConnectionLimitSpansTheLoops) {
  start(2, [](ServerConfig& c) { c.threads = 3; });
  std::vector<std::unique_ptr<RawClient>> kept;
  for (int i = 0; i < 2; ++i) {
    kept.push_back(std::make_unique<RawClient>(server_->port()));
    kept.back()->send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
    auto r = kept.back()->read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 200);
  }
  {
    RawClient third(server_->port());
    third.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
    auto r = third.read();
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 503);
  }
  kept[1].reset();  // on the second loop
  int status = 0;
  for (int i = 0; i < 50 && status != 200; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    RawClient again(server_->port());
    again.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
    auto r = again.read();
    status = r ? r->status : 0;
  }
  EXPECT_EQ(status, 200);
}

// stop() from the first loop's thread closes the connections of every loop (one of them in the
// middle of a response) and joins the other loops' threads.
TEST_F(HttpServerTest, StopClosesConnectionsOnEveryLoop) {
  const fs::path path = dir_ / "huge.img";
  {
    UniqueFd f(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    ASSERT_TRUE(f.valid());
    ASSERT_EQ(::ftruncate(f.get(), 64 << 20), 0);
  }
  start(512, [](ServerConfig& c) { c.threads = 3; });
  std::vector<std::unique_ptr<RawClient>> idle;
  for (int i = 0; i < 5; ++i) {
    idle.push_back(std::make_unique<RawClient>(server_->port()));
    idle.back()->send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
    ASSERT_TRUE(idle.back()->read());
  }
  RawClient stuck(server_->port(), 64 * 1024);  // the sixth: on the third loop
  stuck.send("GET /huge.img HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(stuck.wait_for_head());  // the response is stuck: the client does not read
  ASSERT_EQ(records(5).size(), 5u);

  const auto before = std::chrono::steady_clock::now();
  boost::asio::post(io_, [this] { server_->stop(); });
  thread_.join();
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(2));
  for (auto& c : idle) EXPECT_TRUE(c->closed_by_peer());
  {
    std::lock_guard lock(records_mutex_);
    ASSERT_EQ(records_.size(), 6u);
    EXPECT_EQ(records_[5].path, "huge.img");
    EXPECT_TRUE(records_[5].cut_short);
    EXPECT_EQ(records_[5].error, "the connection was closed by the server");
    EXPECT_EQ(observer_threads_.size(), 3u);
  }
  RawClient late(server_->port());
  EXPECT_FALSE(late.connected());  // no longer listening
  server_->stop();                 // again: nothing left to do
}

// One listening socket whatever the loops: a second server on the same port fails to start,
// and the first one goes on serving.
TEST_F(HttpServerTest, PortInUseSaysSoWithSeveralLoops) {
  start(512, [](ServerConfig& c) { c.threads = 4; });
  ServerConfig config;
  config.address = *Ipv4::parse("127.0.0.1");
  config.port = server_->port();
  config.threads = 4;
  boost::asio::io_context other;
  EXPECT_THROW(Server(other, config, *names_), std::system_error);
  config.address = *Ipv4::parse("0.0.0.0");  // the wildcard address conflicts as well
  EXPECT_THROW(Server(other, config, *names_), std::system_error);
  RawClient c(server_->port());
  c.send("GET /hello.txt HTTP/1.1\r\nHost: t\r\n\r\n");
  auto r = c.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

// A streamed answer (server-sent events): the head without Content-Length, then what the
// producer pushes as it comes, the keep-alive text when nothing else came, and the producer's
// stop once the client goes away; one record at the end.
struct StreamProbe {
  std::mutex mutex;
  std::shared_ptr<StreamChannel> channel;
  std::atomic<int> stops{0};
  std::shared_ptr<StreamChannel> get() {
    std::lock_guard lock(mutex);
    return channel;
  }
};

std::function<void(ServerConfig&)> streaming(std::shared_ptr<StreamProbe> probe) {
  return [probe](ServerConfig& c) {
    c.handler = [probe](const Request& r, Ipv4) -> std::optional<ResponsePlan> {
      if (r.target != "/live") return std::nullopt;
      ResponsePlan plan;
      plan.headers = {{"Content-Type", "text/event-stream"}, {"Connection", "close"}};
      plan.keep_alive = false;
      auto stream = std::make_shared<StreamPlan>();
      stream->keepalive_text = ": ka\n\n";
      stream->keepalive_every = std::chrono::seconds(1);
      stream->start = [probe](std::shared_ptr<StreamChannel> ch) {
        {
          std::lock_guard lock(probe->mutex);
          probe->channel = ch;
        }
        ch->push("hello\n");
        return std::function<void()>([probe] { ++probe->stops; });
      };
      plan.stream = stream;
      return plan;
    };
  };
}

TEST_F(HttpServerTest, StreamCarriesPushedTextAndKeepAlivesUntilTheClientGoes) {
  auto probe = std::make_shared<StreamProbe>();
  start(512, streaming(probe));
  {
    RawClient c(server_->port());
    ASSERT_TRUE(c.connected());
    c.send("GET /live HTTP/1.1\r\nHost: t\r\n\r\n");
    ASSERT_TRUE(c.wait_for_head());
    std::string first = c.read_some();  // the head, then what start() pushed
    for (int i = 0; i < 10 && first.find("hello\n") == std::string::npos; ++i) {
      first += c.read_some();
    }
    EXPECT_EQ(first.find("Content-Length"), std::string::npos);
    EXPECT_NE(first.find("\r\n\r\nhello\n"), std::string::npos);
    std::shared_ptr<StreamChannel> ch;
    for (int i = 0; i < 500 && !(ch = probe->get()); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_TRUE(ch);
    EXPECT_TRUE(ch->push("data: 1\n\n"));  // from this thread, as a timeline subscriber would
    std::string got;
    for (int i = 0; i < 10 && got.find("data: 1\n\n") == std::string::npos; ++i) {
      got += c.read_some();
    }
    EXPECT_NE(got.find("data: 1\n\n"), std::string::npos);
    got.clear();
    for (int i = 0; i < 10 && got.find(": ka\n\n") == std::string::npos; ++i) {
      got += c.read_some();  // nothing else comes: the keep-alive within ~2 s
    }
    EXPECT_NE(got.find(": ka\n\n"), std::string::npos);
    EXPECT_EQ(probe->stops.load(), 0);
  }  // the client closes
  auto got = records(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].status, 200u);
  EXPECT_EQ(got[0].path, "/live");
  EXPECT_GT(got[0].bytes_sent, 10u);
  EXPECT_EQ(probe->stops.load(), 1);
  EXPECT_FALSE(probe->get()->push("late"));  // closed: producers learn it
}

TEST_F(HttpServerTest, StreamEndsWhenTheServerStopsAndHeadGetsNoStream) {
  auto probe = std::make_shared<StreamProbe>();
  start(512, streaming(probe));
  RawClient head(server_->port());
  head.send("HEAD /live HTTP/1.1\r\nHost: t\r\n\r\n");
  auto r = head.read(true);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(head.closed_by_peer());
  EXPECT_FALSE(probe->get());  // never started

  RawClient c(server_->port());
  c.send("GET /live HTTP/1.1\r\nHost: t\r\n\r\n");
  ASSERT_TRUE(c.wait_for_head());
  for (int i = 0; i < 500 && !probe->get(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  boost::asio::post(io_, [this] { server_->stop(); });
  thread_.join();
  EXPECT_EQ(probe->stops.load(), 1);
  std::string rest;
  for (int i = 0; i < 10; ++i) {
    const std::string more = c.read_some();
    if (more.empty()) break;
    rest += more;
  }
  EXPECT_TRUE(c.closed_by_peer());
}

TEST_F(HttpServerTest, ServerNeverStartedGoesAwayCleanly) {
  ServerConfig config;
  config.address = *Ipv4::parse("127.0.0.1");
  config.port = 0;
  config.threads = 4;
  boost::asio::io_context other;
  {
    Server never(other, config, *names_);
    EXPECT_NE(never.port(), 0);
  }
  {
    Server stopped(other, config, *names_);
    stopped.stop();
  }
}

}  // namespace
}  // namespace pxed::http
