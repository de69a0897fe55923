// The real server on 127.0.0.1, port 0, driven over raw sockets from the test thread while the
// io_context runs in its own thread.
#include "http/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>

#include "core/unique_fd.h"

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
  explicit RawClient(std::uint16_t port) {
    fd_.reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    timeval tv{5, 0};
    ::setsockopt(fd_.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
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

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pxed-http-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    std::ofstream(dir_ / "hello.txt") << "hello, world\n";
    std::string big(300000, 'b');
    std::ofstream(dir_ / "big.bin") << big;
    fs::create_directory(dir_ / "sub");
    root_.emplace(dir_.string());
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
    server_.emplace(io_, config, *root_);
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }

  fs::path dir_;
  std::optional<FileRoot> root_;
  boost::asio::io_context io_;
  std::optional<Server> server_;
  std::thread thread_;
};

TEST_F(ServerTest, TwoRequestsOnOneKeptConnection) {
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

TEST_F(ServerTest, PipelinedRequestsHeadAndMissing) {
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

TEST_F(ServerTest, MalformedTraversalOversizeAndDirectory) {
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

TEST_F(ServerTest, RefusesConnectionsOverTheLimit) {
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

TEST_F(ServerTest, PortInUseSaysSo) {
  start();
  ServerConfig config;
  config.address = *Ipv4::parse("127.0.0.1");
  config.port = server_->port();
  boost::asio::io_context other;
  try {
    Server second(other, config, *root_);
    FAIL() << "a second server bound the same port";
  } catch (const std::system_error& e) {
    std::string what = e.what();
    std::string want = "cannot listen on HTTP 127.0.0.1:" + std::to_string(config.port) + ": ";
    EXPECT_EQ(what.rfind(want, 0), 0u) << what;
  }
}

}  // namespace
}  // namespace pxed::http
