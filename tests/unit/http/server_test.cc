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
#include <optional>
#include <string>
#include <thread>

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
  void start(std::size_t max_connections = 512) {
    ServerConfig config;
    config.address = *Ipv4::parse("127.0.0.1");
    config.port = 0;
    config.max_connections = max_connections;
    server_.emplace(io_, config, *names_);
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

}  // namespace
}  // namespace pxed::http
