#include "http/response_writer.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <string>
#include <vector>

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

TEST(ResponseWriter, SegmentsOfMemoryAndFileRangesInOrder) {
  std::string content;
  for (int i = 0; i < 400000; ++i) content.push_back(static_cast<char>('a' + i % 26));
  UniqueFd file = temp_file_with(content);
  Pair p = make_pair();

  std::vector<WriteSegment> segments;
  segments.push_back({"HEAD\r\n\r\n--b\r\n", std::nullopt});
  segments.push_back({std::string(), ByteRange{5, 200000}});
  segments.push_back({"\r\n--b\r\n", std::nullopt});
  segments.push_back({std::string(), ByteRange{0, 3}});
  segments.push_back({std::string(), ByteRange{399990, 10}});
  segments.push_back({"", std::nullopt});
  segments.push_back({"\r\n--b--\r\n", std::nullopt});
  const std::string want = "HEAD\r\n\r\n--b\r\n" + content.substr(5, 200000) + "\r\n--b\r\n" +
                           content.substr(0, 3) + content.substr(399990, 10) + "\r\n--b--\r\n";

  ResponseWriter w(std::move(segments), file.get());
  EXPECT_EQ(w.bytes_total(), want.size());
  EXPECT_EQ(w.file_bytes_total(), 200013u);
  std::string got;
  int yielded = 0;
  for (int rounds = 0; rounds < 100000; ++rounds) {
    auto s = w.pump(p.writer.get(), 16 * 1024);
    ASSERT_NE(s, ResponseWriter::Status::failed) << w.error();
    if (s == ResponseWriter::Status::done) break;
    if (s == ResponseWriter::Status::yielded) ++yielded;
    got += drain(p.reader.get());
  }
  got += drain(p.reader.get());
  EXPECT_EQ(w.bytes_written(), want.size());
  EXPECT_EQ(w.file_bytes_sent(), 200013u);
  EXPECT_EQ(got.size(), want.size());
  EXPECT_TRUE(got == want);
  // Done stays done.
  EXPECT_EQ(w.pump(p.writer.get(), 1024), ResponseWriter::Status::done);
}

TEST(ResponseWriter, MemoryOnlySegments) {
  Pair p = make_pair();
  std::vector<WriteSegment> segments = {{"a", std::nullopt}, {"bc", std::nullopt}};
  ResponseWriter w(std::move(segments), -1);
  EXPECT_EQ(w.pump(p.writer.get(), 0), ResponseWriter::Status::done);
  EXPECT_EQ(drain(p.reader.get()), "abc");
  EXPECT_EQ(w.bytes_written(), 3u);
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
