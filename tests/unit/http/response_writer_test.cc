#include "http/response_writer.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "core/unique_fd.h"

namespace pxed::http {
namespace {

struct Pair {
  UniqueFd writer;
  UniqueFd reader;
};

Pair make_pair() {
  int fds[2];
  EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds), 0);
  ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
  int small = 4096;
  ::setsockopt(fds[0], SOL_SOCKET, SO_SNDBUF, &small, sizeof small);
  return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

UniqueFd temp_file_with(const std::string& content) {
  char tmpl[] = "/tmp/pxed-writer-XXXXXX";
  int fd = ::mkstemp(tmpl);
  ::unlink(tmpl);
  EXPECT_EQ(::write(fd, content.data(), content.size()), static_cast<ssize_t>(content.size()));
  return UniqueFd(fd);
}

std::string drain(int fd) {
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

TEST(ResponseWriter, WritesHeadThenFileRangeThroughAFullSocket) {
  std::string content;
  for (int i = 0; i < 300000; ++i) content.push_back(static_cast<char>('a' + i % 26));
  UniqueFd file = temp_file_with(content);
  Pair p = make_pair();

  ResponseWriter w("HEAD\r\n\r\n", file.get(), ByteRange{1000, 250000});
  std::string got;
  int blocked = 0;
  for (int rounds = 0; rounds < 100000; ++rounds) {
    auto s = w.pump(p.writer.get(), 64 * 1024);
    ASSERT_NE(s, ResponseWriter::Status::failed) << w.error();
    if (s == ResponseWriter::Status::done) break;
    if (s == ResponseWriter::Status::blocked) ++blocked;
    got += drain(p.reader.get());
  }
  got += drain(p.reader.get());
  EXPECT_GT(blocked, 0);  // the small buffer filled up on the way
  EXPECT_EQ(w.file_bytes_sent(), 250000u);
  EXPECT_EQ(got, "HEAD\r\n\r\n" + content.substr(1000, 250000));
}

TEST(ResponseWriter, HeadOnly) {
  Pair p = make_pair();
  ResponseWriter w("HTTP/1.1 404 Not Found\r\n\r\n404\n", -1, ByteRange{});
  EXPECT_EQ(w.pump(p.writer.get(), 1024), ResponseWriter::Status::done);
  EXPECT_EQ(drain(p.reader.get()), "HTTP/1.1 404 Not Found\r\n\r\n404\n");
}

TEST(ResponseWriter, FileShorterThanPromisedFails) {
  UniqueFd file = temp_file_with("short");
  Pair p = make_pair();
  ResponseWriter w("H", file.get(), ByteRange{0, 100});
  EXPECT_EQ(w.pump(p.writer.get(), 1024), ResponseWriter::Status::failed);
  EXPECT_NE(w.error().find("ended early"), std::string::npos);
}

TEST(ResponseWriter, PeerGoneFails) {
  std::signal(SIGPIPE, SIG_IGN);
  UniqueFd file = temp_file_with(std::string(10000, 'x'));
  Pair p = make_pair();
  p.reader.reset();
  ResponseWriter w("H", file.get(), ByteRange{0, 10000});
  EXPECT_EQ(w.pump(p.writer.get(), 1 << 20), ResponseWriter::Status::failed);
  EXPECT_FALSE(w.error().empty());
}

}  // namespace
}  // namespace pxed::http
