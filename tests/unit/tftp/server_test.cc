// The real Server on 127.0.0.1 (port chosen by the kernel), driven by a tiny blocking client.
#include "tftp/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <boost/asio/post.hpp>

#include "tftp/packet.h"

namespace pxed::tftp {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class TestClient {
 public:
  explicit TestClient(std::uint16_t server_port, std::chrono::milliseconds patience = 2s) {
    fd_ = ::socket(AF_INET, SOCK_DGRAM, 0);
    timeval tv{patience.count() / 1000, static_cast<suseconds_t>(patience.count() % 1000 * 1000)};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    server_.sin_family = AF_INET;
    server_.sin_port = htons(server_port);
    server_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }
  ~TestClient() { ::close(fd_); }

  void send(const Bytes& b, const sockaddr_in& to) {
    ::sendto(fd_, b.data(), b.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  }
  void send_to_server(const Bytes& b) { send(b, server_); }

  // The next packet and where it came from; nullopt after 2 s of silence.
  std::optional<std::pair<Packet, sockaddr_in>> receive() {
    std::uint8_t buf[70000];
    sockaddr_in from{};
    socklen_t len = sizeof from;
    ssize_t n = ::recvfrom(fd_, buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n < 0) return std::nullopt;
    auto p = decode(ByteView(buf, static_cast<std::size_t>(n)));
    if (!p) return std::nullopt;
    return std::make_pair(*p, from);
  }

 private:
  int fd_ = -1;
  sockaddr_in server_{};
};

// Collects log lines; lets a test wait for the line a transfer logs when it ends.
class CaptureSink : public spdlog::sinks::base_sink<std::mutex> {
 public:
  bool wait_for(const std::string& needle, std::chrono::milliseconds limit = 3s) {
    auto until = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < until) {
      if (text().find(needle) != std::string::npos) return true;
      std::this_thread::sleep_for(5ms);
    }
    return false;
  }
  std::string text() {
    std::lock_guard<std::mutex> lock(mutex_);
    return text_;
  }
  void clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    text_.clear();
  }

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    text_.append(msg.payload.data(), msg.payload.size());
    text_.push_back('\n');
  }
  void flush_() override {}

 private:
  std::string text_;
};

struct Fetched {
  Bytes data;
  std::vector<TftpOption> oack;
  std::optional<ErrorPacket> error;
  bool complete = false;
  std::uint16_t tid_port = 0;  // the transfer's port
};

// A small but honest RFC 1350/2347/7440 reader. DATA blocks in `lose` are dropped the first time
// they come, as if lost on the way; on the next block out of order the reader acknowledges the
// last block it has in order, at once (RFC 7440 §4), and the server starts the window again
// from there.
Fetched follow(TestClient& c, bool abort_after_oack = false, std::set<std::uint16_t> lose = {}) {
  Fetched f;
  std::uint16_t gap_acked = 0;
  std::size_t blksize = 512, window = 1, in_window = 0;
  std::uint16_t expected = 1;
  for (int packets = 0; packets < 200000; ++packets) {
    auto got = c.receive();
    if (!got) return f;
    auto& [packet, tid] = *got;
    f.tid_port = ntohs(tid.sin_port);
    if (auto* e = std::get_if<ErrorPacket>(&packet)) {
      f.error = *e;
      return f;
    }
    if (auto* o = std::get_if<OackPacket>(&packet)) {
      f.oack = o->options;
      if (abort_after_oack) {
        c.send(encode_error(ErrorCode::option_refused, "User aborted the transfer"), tid);
        return f;
      }
      if (auto* v = find_option(o->options, "blksize")) blksize = std::stoul(*v);
      if (auto* v = find_option(o->options, "windowsize")) window = std::stoul(*v);
      c.send(encode_ack(0), tid);
      continue;
    }
    auto* d = std::get_if<DataPacket>(&packet);
    if (!d || lose.erase(d->block) > 0) continue;
    if (d->block != expected) {
      if (gap_acked != expected && d->block > expected) {
        c.send(encode_ack(static_cast<std::uint16_t>(expected - 1)), tid);
        gap_acked = expected;
        in_window = 0;
      }
      continue;
    }
    f.data.insert(f.data.end(), d->payload.begin(), d->payload.end());
    ++expected;
    bool last = d->payload.size() < blksize;
    if (last || ++in_window == window) {
      c.send(encode_ack(d->block), tid);
      in_window = 0;
    }
    if (last) {
      f.complete = true;
      return f;
    }
  }
  return f;
}

Fetched fetch(TestClient& c, const std::string& file, std::vector<TftpOption> options = {},
              bool abort_after_oack = false, std::set<std::uint16_t> lose = {}) {
  c.send_to_server(encode_request(Request{false, file, "octet", std::move(options)}));
  return follow(c, abort_after_oack, std::move(lose));
}

class TftpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pxed-tftp-XXXXXX";
    base_ = ::mkdtemp(tmpl);
    fs::create_directories(base_ / "root/pxelinux.cfg");
    write("root/small.bin", pattern(3000));
    write("root/exact.bin", pattern(1024));
    write("root/empty.bin", {});
    write("root/big.bin", pattern(200000));
    write("root/pxelinux.cfg/default", pattern(100));
    write("secret.txt", pattern(10));

    log_ = std::make_shared<CaptureSink>();
    old_logger_ = spdlog::default_logger();
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("test", log_));

    root_.emplace((base_ / "root").string());
    ServerConfig cfg;
    cfg.address = *Ipv4::parse("127.0.0.1");
    cfg.port = 0;
    cfg.default_timeout = 200ms;
    cfg.retries = 2;
    start(cfg);
  }

  void start(const ServerConfig& cfg) {
    names_.emplace(*root_);
    generated_.emplace(*names_);
    generated_->add("gen/who.cfg", [](const files::Requester& r) -> std::optional<Bytes> {
      std::string text = "client " + r.client.to_string() + " over " + std::string(r.protocol);
      return Bytes(text.begin(), text.end());
    });
    server_.emplace(io_, cfg, *generated_);
    server_->start();
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    stop();
    spdlog::set_default_logger(old_logger_);
    fs::remove_all(base_);
  }

  void stop() {
    if (!thread_.joinable()) return;
    boost::asio::post(io_, [this] { server_->stop(); });
    thread_.join();
  }

  // A fresh server with other settings.
  void restart(const std::function<void(ServerConfig&)>& change) {
    stop();
    server_.reset();
    io_.restart();
    ServerConfig cfg;
    cfg.address = *Ipv4::parse("127.0.0.1");
    cfg.port = 0;
    cfg.default_timeout = 200ms;
    cfg.retries = 2;
    change(cfg);
    start(cfg);
  }

  static Bytes pattern(std::size_t n) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; ++i) b[i] = static_cast<std::uint8_t>(i * 7 + i / 251);
    return b;
  }
  void write(const std::string& rel, const Bytes& content) {
    std::ofstream(base_ / rel, std::ios::binary)
        .write(reinterpret_cast<const char*>(content.data()),
               static_cast<std::streamsize>(content.size()));
  }
  // True once a logged line contains `needle` (transfers log when the server has seen the last
  // ACK, which can be after the client is done).
  bool logged(const std::string& needle) {
    bool found = log_->wait_for(needle);
    if (!found) ADD_FAILURE() << "not in the log: " << needle << "\nlog:\n" << log_->text();
    return found;
  }

  fs::path base_;
  std::shared_ptr<CaptureSink> log_;
  std::shared_ptr<spdlog::logger> old_logger_;
  boost::asio::io_context io_;
  std::optional<FileRoot> root_;
  std::optional<files::FileNameSpace> names_;
  std::optional<files::GeneratedFiles> generated_;
  std::optional<files::UploadDir> uploads_;
  std::optional<Server> server_;
  std::thread thread_;
};

TEST_F(TftpServerTest, LockStepWithoutOptions) {
  TestClient c(server_->port());
  Fetched f = fetch(c, "small.bin");
  ASSERT_TRUE(f.complete);
  EXPECT_TRUE(f.oack.empty());
  EXPECT_EQ(f.data, pattern(3000));
  EXPECT_TRUE(logged("RRQ small.bin -> sent 3000 bytes in "));
}

TEST_F(TftpServerTest, GeneratedFilesAreServedLikeFiles) {
  TestClient c(server_->port());
  Fetched f = fetch(c, "/gen\\who.cfg", {{"tsize", "0"}});
  ASSERT_TRUE(f.complete);
  const std::string want = "client 127.0.0.1 over tftp";
  EXPECT_EQ(f.data, Bytes(want.begin(), want.end()));
  EXPECT_EQ(*find_option(f.oack, "tsize"), std::to_string(want.size()));
  EXPECT_TRUE(logged("-> sent 26 bytes"));
}

// Over a limit a request is neither refused (PXE firmware gives up on an ERROR) nor answered:
// it waits, and the transfer starts by itself once a slot is free, the client asking no more.
TEST_F(TftpServerTest, RequestsOverALimitWaitAndStartWhenASlotFrees) {
  for (bool per_client : {true, false}) {
    SCOPED_TRACE(per_client ? "max-transfers-per-client" : "max-transfers");
    log_->clear();
    restart(
        [&](ServerConfig& c) { (per_client ? c.max_transfers_per_client : c.max_transfers) = 1; });
    // A transfer that waits for our ACK of its OACK keeps its slot.
    TestClient a(server_->port());
    a.send_to_server(encode_request(Request{false, "big.bin", "octet", {{"tsize", "0"}}}));
    auto oack = a.receive();
    ASSERT_TRUE(oack);
    ASSERT_TRUE(std::holds_alternative<OackPacket>(oack->first));
    TestClient b(server_->port(), 300ms);
    b.send_to_server(encode_request(Request{false, "small.bin", "octet", {}}));
    EXPECT_FALSE(b.receive());  // no ERROR, no DATA
    EXPECT_TRUE(logged(per_client ? "RRQ small.bin -> waiting: 1 transfers running for this "
                                    "client (max-transfers-per-client); 1 in line"
                                  : "RRQ small.bin -> waiting: 1 transfers running "
                                    "(max-transfers); 1 in line"));
    a.send(encode_error(ErrorCode::option_refused, "done"), oack->second);
    EXPECT_TRUE(logged("size probe ended by client"));
    Fetched f = follow(b);
    EXPECT_TRUE(f.complete);
    EXPECT_EQ(f.data, pattern(3000));
  }
}

// The waiting request that gets the slot is the one that asked first (all test clients share
// one address: their requests are one client's line); a request asked again keeps its place.
TEST_F(TftpServerTest, WaitingRequestsStartInTheirOrder) {
  restart([](ServerConfig& c) { c.max_transfers = 1; });
  TestClient a(server_->port());
  a.send_to_server(encode_request(Request{false, "big.bin", "octet", {{"tsize", "0"}}}));
  auto oack = a.receive();
  ASSERT_TRUE(oack);
  std::vector<std::unique_ptr<TestClient>> waiting;
  for (int i = 0; i < 3; ++i) {
    auto& w = waiting.emplace_back(std::make_unique<TestClient>(server_->port(), 200ms));
    w->send_to_server(encode_request(Request{false, "small.bin", "octet", {}}));
  }
  waiting[0]->send_to_server(encode_request(Request{false, "small.bin", "octet", {}}));
  for (auto& w : waiting) EXPECT_FALSE(w->receive());
  a.send(encode_error(ErrorCode::option_refused, "done"), oack->second);
  for (std::size_t i = 0; i < waiting.size(); ++i) {
    Fetched f = follow(*waiting[i]);  // each starts when the one before it has ended
    EXPECT_TRUE(f.complete) << i;
    EXPECT_EQ(f.data, pattern(3000)) << i;
  }
}

TEST_F(TftpServerTest, TransfersTakeTheirPortsFromThePortRange) {
  const auto first = static_cast<std::uint16_t>(42000 + ::getpid() % 1000 * 2);
  restart([&](ServerConfig& c) { c.port_range = std::pair{first, first + 1}; });
  std::set<std::uint16_t> ports;
  for (int i = 0; i < 3; ++i) {
    TestClient c(server_->port());
    Fetched f = fetch(c, "small.bin");
    ASSERT_TRUE(f.complete);
    ports.insert(f.tid_port);
  }
  EXPECT_EQ(ports, (std::set<std::uint16_t>{first, static_cast<std::uint16_t>(first + 1)}));
}

TEST_F(TftpServerTest, RemappedNamesAreServedAndLoggedWithBoth) {
  restart([](ServerConfig& c) {
    c.remap = *Remapper::compile({{"^/?boot/x86/(.*)$", "$1"}, {"^client-(.*)$", "${client}-$1"}});
  });
  TestClient c(server_->port());
  Fetched f = fetch(c, "/boot/x86/small.bin");
  ASSERT_TRUE(f.complete);
  EXPECT_EQ(f.data, pattern(3000));
  EXPECT_TRUE(logged("RRQ /boot/x86/small.bin => small.bin -> sent 3000 bytes"));
  Fetched g = fetch(c, "client-x");
  EXPECT_EQ(g.error->code, static_cast<std::uint16_t>(ErrorCode::file_not_found));
  EXPECT_TRUE(logged("RRQ client-x => 127.0.0.1-x -> not found"));
}

// Sends `content` as a WRQ in lock-step; returns the ERROR that ended it, if any.
std::optional<ErrorPacket> put(TestClient& c, const std::string& name, const Bytes& content,
                               std::vector<TftpOption> options = {}) {
  c.send_to_server(encode_request(Request{true, name, "octet", std::move(options)}));
  std::size_t blksize = 512;
  std::uint16_t block = 0;
  for (int i = 0; i < 100000; ++i) {
    auto got = c.receive();
    if (!got) return ErrorPacket{0, "no answer"};
    auto& [packet, tid] = *got;
    if (auto* e = std::get_if<ErrorPacket>(&packet)) return *e;
    if (auto* o = std::get_if<OackPacket>(&packet)) {
      if (auto* v = find_option(o->options, "blksize")) blksize = std::stoul(*v);
    } else if (auto* a = std::get_if<AckPacket>(&packet); !a || a->block != block) {
      continue;
    }
    const std::size_t offset = std::size_t{block} * blksize;
    if (offset > content.size()) return std::nullopt;  // the last block is acknowledged
    const std::size_t n = std::min(blksize, content.size() - offset);
    ++block;
    c.send(encode_data(block, ByteView(content.data() + offset, n)), tid);
  }
  return ErrorPacket{0, "too many packets"};
}

TEST_F(TftpServerTest, UploadsLandInTheUploadDirOnlyWhenCompleteAndNeverOverwrite) {
  fs::create_directories(base_ / "up");
  uploads_.emplace((base_ / "up").string());
  restart([this](ServerConfig& c) {
    c.uploads = &*uploads_;
    c.max_upload_size = 10000;
  });
  TestClient c(server_->port());
  EXPECT_FALSE(put(c, "log.bin", pattern(3000), {{"blksize", "1024"}, {"tsize", "3000"}}));
  EXPECT_TRUE(logged("WRQ log.bin (blksize=1024 tsize=3000) -> received 3000 bytes"));
  std::ifstream in(base_ / "up/log.bin", std::ios::binary);
  Bytes stored((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(stored, pattern(3000));
  // Never over an existing file, never outside, never too big.
  EXPECT_EQ(put(c, "log.bin", pattern(10))->code, 6);
  EXPECT_EQ(put(c, "../escape.bin", pattern(10))->code, 2);
  EXPECT_EQ(put(c, "big.bin", pattern(20000), {{"tsize", "20000"}})->code, 3);  // told upfront
  auto cut = put(c, "big2.bin", pattern(20000));  // found out on the way
  ASSERT_TRUE(cut);
  EXPECT_EQ(cut->code, 3);
  EXPECT_TRUE(
      logged("WRQ big2.bin -> over the upload size limit after 9728 bytes; nothing stored"));
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(base_ / "up")) names.push_back(e.path().filename());
  EXPECT_EQ(names, std::vector<std::string>{"log.bin"});
}

TEST_F(TftpServerTest, AThousandTransfersAtOnceOnOneLoop) {
  constexpr int kClients = 1000;
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  if (lim.rlim_max != RLIM_INFINITY && lim.rlim_max < 2 * kClients + 200) {
    GTEST_SKIP() << "needs " << 2 * kClients + 200 << " file descriptors";
  }
  lim.rlim_cur = lim.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &lim);
  restart([](ServerConfig& c) {
    c.max_transfers = 2 * kClients;
    c.max_transfers_per_client = 2 * kClients;
    c.default_timeout = 10s;
  });
  std::vector<std::unique_ptr<TestClient>> clients;
  std::vector<sockaddr_in> tids(kClients);
  // Every client opens a transfer and holds it: each waits for the ACK of its OACK.
  for (int i = 0; i < kClients; ++i) {
    clients.push_back(std::make_unique<TestClient>(server_->port()));
    clients.back()->send_to_server(
        encode_request(Request{false, "small.bin", "octet", {{"tsize", "0"}}}));
  }
  for (int i = 0; i < kClients; ++i) {
    auto oack = clients[i]->receive();
    ASSERT_TRUE(oack && std::holds_alternative<OackPacket>(oack->first)) << "client " << i;
    tids[i] = oack->second;
  }
  std::set<std::uint16_t> ports;
  for (const auto& t : tids) ports.insert(t.sin_port);
  EXPECT_EQ(ports.size(), static_cast<std::size_t>(kClients));  // a TID each, all open at once
  // Then all of them, interleaved, in lock-step to the end.
  std::vector<Bytes> got(kClients);
  for (int i = 0; i < kClients; ++i) clients[i]->send(encode_ack(0), tids[i]);
  for (std::uint16_t block = 1; block <= 6; ++block) {
    for (int i = 0; i < kClients; ++i) {
      auto d = clients[i]->receive();
      ASSERT_TRUE(d) << "client " << i << " block " << block;
      const auto& data = std::get<DataPacket>(d->first);
      ASSERT_EQ(data.block, block);
      got[i].insert(got[i].end(), data.payload.begin(), data.payload.end());
      clients[i]->send(encode_ack(block), tids[i]);
    }
  }
  for (int i = 0; i < kClients; ++i) ASSERT_EQ(got[i], pattern(3000)) << "client " << i;
  // Each transfer logs once it has seen the last ACK.
  std::size_t completed = 0;
  for (int wait = 0; wait < 500 && completed < kClients; ++wait) {
    const std::string text = log_->text();
    completed = 0;
    for (std::size_t at = 0; (at = text.find("-> sent 3000 bytes", at)) != std::string::npos;
         ++at) {
      ++completed;
    }
    if (completed < kClients) std::this_thread::sleep_for(10ms);
  }
  EXPECT_EQ(completed, static_cast<std::size_t>(kClients));
}

TEST_F(TftpServerTest, IpxeStyleOptions) {
  TestClient c(server_->port());
  Fetched f = fetch(c, "/big.bin", {{"blksize", "1432"}, {"tsize", "0"}});
  ASSERT_TRUE(f.complete);
  EXPECT_EQ(f.oack, (std::vector<TftpOption>{{"blksize", "1432"}, {"tsize", "200000"}}));
  EXPECT_EQ(f.data, pattern(200000));
  EXPECT_TRUE(logged("RRQ /big.bin (blksize=1432 tsize=200000) -> sent 200000 bytes"));
}

TEST_F(TftpServerTest, Edk2ProbeThenWindowedDownload) {
  TestClient c(server_->port());
  std::vector<TftpOption> opts{{"tsize", "0"}, {"blksize", "1468"}, {"windowsize", "4"}};
  Fetched probe = fetch(c, "big.bin", opts, /*abort_after_oack=*/true);
  EXPECT_EQ(*find_option(probe.oack, "tsize"), "200000");
  Fetched f = fetch(c, "big.bin", opts);
  ASSERT_TRUE(f.complete);
  EXPECT_EQ(f.data, pattern(200000));
  EXPECT_TRUE(
      logged("RRQ big.bin (tsize=200000 blksize=1468 windowsize=4) -> size probe ended "
             "by client after OACK"));
  EXPECT_TRUE(logged("windowsize=4) -> sent 200000 bytes"));
}

// Losses inside windows: the client's ACK of its last block in order restarts the window there,
// so the window read ahead does not fit and the blocks are read again; every byte arrives. In
// lock-step (window 1) a lost block comes again after the server's timeout, read again too.
TEST_F(TftpServerTest, WindowsRestartAfterALossWithTheRightBytes) {
  for (const char* window : {"1", "4", "8"}) {
    SCOPED_TRACE(window);
    TestClient c(server_->port());
    Fetched f = fetch(c, "big.bin", {{"blksize", "1024"}, {"windowsize", window}}, false,
                      {2, 10, 11, 30, 57, 58, 59, 60, 61, 150, 196});
    ASSERT_TRUE(f.complete);
    EXPECT_EQ(f.data, pattern(200000));
  }
  EXPECT_TRUE(logged("windowsize=8) -> sent 200000 bytes"));
}

TEST_F(TftpServerTest, RepeatedRequestDoesNotStartASecondTransfer) {
  TestClient c(server_->port());
  Bytes rrq = encode_request(Request{false, "small.bin", "octet", {}});
  c.send_to_server(rrq);
  c.send_to_server(rrq);  // the client gave up waiting too early and asked again
  std::optional<std::uint16_t> tid;
  Bytes data;
  for (int i = 0; i < 20; ++i) {
    auto got = c.receive();
    ASSERT_TRUE(got);
    auto& [packet, from] = *got;
    if (!tid) tid = from.sin_port;
    ASSERT_EQ(from.sin_port, *tid) << "a second transfer answered";
    const auto& d = std::get<DataPacket>(packet);
    if (d.block * 512u != data.size() + 512u) continue;  // a retransmission
    data.insert(data.end(), d.payload.begin(), d.payload.end());
    c.send(encode_ack(d.block), from);
    if (d.payload.size() < 512) break;
  }
  EXPECT_EQ(data, pattern(3000));
  EXPECT_TRUE(logged("RRQ small.bin -> sent 3000 bytes"));
}

TEST_F(TftpServerTest, ClientThatWentQuietCanStartOver) {
  TestClient c(server_->port());
  Bytes rrq = encode_request(Request{false, "small.bin", "octet", {}});
  c.send_to_server(rrq);
  auto first = c.receive();
  ASSERT_TRUE(first);
  c.send(encode_ack(1), first->second);
  ASSERT_TRUE(c.receive());               // DATA 2, never acknowledged
  std::this_thread::sleep_for(300ms);     // past the 200 ms timeout: it is retransmitting
  Fetched again = fetch(c, "small.bin");  // same port, same file
  ASSERT_TRUE(again.complete);
  EXPECT_EQ(again.data, pattern(3000));
  EXPECT_TRUE(logged("RRQ small.bin -> cut (the client sent a new request), 512 of 3000"));
  EXPECT_TRUE(logged("RRQ small.bin -> sent 3000 bytes"));
}

TEST_F(TftpServerTest, ExactMultipleAndEmptyFiles) {
  TestClient c(server_->port());
  Fetched exact = fetch(c, "exact.bin");
  ASSERT_TRUE(exact.complete);
  EXPECT_EQ(exact.data, pattern(1024));
  Fetched empty = fetch(c, "empty.bin", {{"tsize", "0"}, {"blksize", "1024"}});
  ASSERT_TRUE(empty.complete);
  EXPECT_TRUE(empty.data.empty());
  EXPECT_EQ(empty.oack, (std::vector<TftpOption>{{"blksize", "1024"}}));
}

TEST_F(TftpServerTest, MissingFilesAnswerAtOnce) {
  TestClient c(server_->port());
  auto start = std::chrono::steady_clock::now();
  for (const char* name : {"pxelinux.cfg/01-52-54-00-e2-e0-01", "pxelinux.cfg/C612008",
                           "pxelinux.cfg/C61200", "pxelinux.cfg/C6120", "pxelinux.cfg/C612",
                           "pxelinux.cfg/C61", "pxelinux.cfg/C6", "pxelinux.cfg/C"}) {
    Fetched f = fetch(c, name, {{"tsize", "0"}, {"blksize", "1408"}});
    ASSERT_TRUE(f.error) << name;
    EXPECT_EQ(f.error->code, 1);
  }
  EXPECT_LT(std::chrono::steady_clock::now() - start, 500ms);
  Fetched cfg = fetch(c, "pxelinux.cfg/default", {{"tsize", "0"}, {"blksize", "1408"}});
  EXPECT_TRUE(cfg.complete);
  EXPECT_TRUE(logged("RRQ pxelinux.cfg/01-52-54-00-e2-e0-01 -> not found"));
}

TEST_F(TftpServerTest, RefusesEscapesWritesAndMailMode) {
  TestClient c(server_->port());
  EXPECT_EQ(fetch(c, "../secret.txt").error->code, 2);
  c.send_to_server(encode_request(Request{true, "small.bin", "octet", {}}));
  auto wrq = c.receive();
  ASSERT_TRUE(wrq);
  EXPECT_EQ(std::get<ErrorPacket>(wrq->first).code, 2);
  c.send_to_server(encode_request(Request{false, "small.bin", "mail", {}}));
  auto mail = c.receive();
  ASSERT_TRUE(mail);
  EXPECT_EQ(std::get<ErrorPacket>(mail->first).message,
            "only octet and netascii modes are supported");
}

TEST_F(TftpServerTest, NetasciiSendsTheConvertedText) {
  const std::string menu = "line 1\nline 2\n";
  write("root/menu.txt", Bytes(menu.begin(), menu.end()));
  TestClient c(server_->port());
  c.send_to_server(encode_request(Request{false, "menu.txt", "netascii", {{"tsize", "0"}}}));
  auto oack = c.receive();
  ASSERT_TRUE(oack);
  EXPECT_EQ(*find_option(std::get<OackPacket>(oack->first).options, "tsize"), "16");
  c.send(encode_ack(0), oack->second);
  auto data = c.receive();
  ASSERT_TRUE(data);
  const Bytes& got = std::get<DataPacket>(data->first).payload;
  EXPECT_EQ(std::string(got.begin(), got.end()), "line 1\r\nline 2\r\n");
  c.send(encode_ack(1), data->second);
  EXPECT_TRUE(logged("RRQ menu.txt in netascii (tsize=16) -> sent 16 bytes"));
}

TEST_F(TftpServerTest, SurvivesMalformedPackets) {
  TestClient c(server_->port());
  c.send_to_server(Bytes{0, 1, 'x'});
  c.send_to_server(Bytes{0});
  c.send_to_server(Bytes{0, 42, 0, 0});
  Fetched f = fetch(c, "small.bin");
  EXPECT_TRUE(f.complete);
  EXPECT_TRUE(logged("dropped a malformed packet: filename without NUL terminator"));
  EXPECT_TRUE(logged("unknown opcode 42"));
}

TEST_F(TftpServerTest, SilentClientTimesOut) {
  TestClient c(server_->port());
  c.send_to_server(encode_request(Request{false, "small.bin", "octet", {}}));
  int data_packets = 0;
  while (auto got = c.receive()) {
    if (std::holds_alternative<DataPacket>(got->first)) ++data_packets;
  }
  EXPECT_EQ(data_packets, 3);  // the first send and 2 retries, 200 ms apart
  EXPECT_TRUE(logged("RRQ small.bin -> timed out after 2 retries, 0 of 3000 bytes sent"));
}

TEST_F(TftpServerTest, StopCutsOpenTransfers) {
  TestClient c(server_->port());
  c.send_to_server(encode_request(Request{false, "big.bin", "octet", {}}));
  ASSERT_TRUE(c.receive());
  stop();
  EXPECT_TRUE(logged("RRQ big.bin -> cut (server stopping), 0 of 200000 bytes sent"));
}

// With several loops, clients (each its own port) are spread over them and all served in
// parallel, byte-exact; the listener counts the requests each loop was given.
TEST_F(TftpServerTest, SeveralLoopsServeClientsInParallel) {
  restart([](ServerConfig& c) {
    c.threads = 3;
    c.max_transfers_per_client = 100;
  });
  constexpr int kClients = 24;
  std::vector<Fetched> got(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      TestClient c(server_->port());
      got[i] = fetch(c, "big.bin", {{"blksize", "1024"}, {"windowsize", "4"}});
    });
  }
  for (auto& t : clients) t.join();
  for (int i = 0; i < kClients; ++i) {
    EXPECT_TRUE(got[i].complete) << i;
    EXPECT_EQ(got[i].data, pattern(200000)) << i;
  }
  std::vector<std::uint64_t> per_loop = server_->requests_per_loop();
  ASSERT_EQ(per_loop.size(), 3u);
  EXPECT_EQ(per_loop[0] + per_loop[1] + per_loop[2], std::uint64_t{kClients});
  // 24 ports hashed over 3 loops: each gets some (all on one: about 1 in 10^11).
  for (std::uint64_t n : per_loop) EXPECT_GT(n, 0u);
}

// Slots are counted over every loop: transfers held open on some loops keep requests that go to
// other loops waiting; the first of them starts when one of the transfers ends.
TEST_F(TftpServerTest, LimitsCountTheTransfersOfEveryLoop) {
  for (bool per_client : {false, true}) {
    SCOPED_TRACE(per_client ? "max-transfers-per-client" : "max-transfers");
    log_->clear();
    restart([&](ServerConfig& c) {
      c.threads = 4;
      (per_client ? c.max_transfers_per_client : c.max_transfers) = 3;
    });
    std::vector<std::unique_ptr<TestClient>> holders;
    std::vector<sockaddr_in> tids;
    for (int i = 0; i < 3; ++i) {
      auto& h = holders.emplace_back(std::make_unique<TestClient>(server_->port()));
      h->send_to_server(encode_request(Request{false, "big.bin", "octet", {{"tsize", "0"}}}));
      auto oack = h->receive();
      ASSERT_TRUE(oack);
      tids.push_back(oack->second);
    }
    // Requests from 6 more ports, wherever they land: none gets in.
    std::vector<std::unique_ptr<TestClient>> waiting;
    for (int i = 0; i < 6; ++i) {
      auto& w = waiting.emplace_back(std::make_unique<TestClient>(server_->port(), 150ms));
      w->send_to_server(encode_request(Request{false, "small.bin", "octet", {}}));
      EXPECT_FALSE(w->receive());
    }
    EXPECT_TRUE(logged(per_client ? "waiting: 3 transfers running for this client "
                                    "(max-transfers-per-client)"
                                  : "waiting: 3 transfers running (max-transfers)"));
    holders[1]->send(encode_error(ErrorCode::option_refused, "done"), tids[1]);
    Fetched first = follow(*waiting[0]);
    EXPECT_TRUE(first.complete);
    EXPECT_EQ(first.data, pattern(3000));
  }
}

TEST_F(TftpServerTest, StopCutsTheTransfersOfEveryLoop) {
  restart([](ServerConfig& c) { c.threads = 3; });
  std::vector<std::unique_ptr<TestClient>> clients;
  for (int i = 0; i < 9; ++i) {
    auto& c = clients.emplace_back(std::make_unique<TestClient>(server_->port()));
    c->send_to_server(encode_request(Request{false, "big.bin", "octet", {}}));
    ASSERT_TRUE(c->receive());
  }
  stop();
  const std::string cut = "RRQ big.bin -> cut (server stopping), 0 of 200000 bytes sent";
  EXPECT_TRUE(logged(cut));
  std::string text = log_->text();
  std::size_t count = 0;
  for (std::size_t at = text.find(cut); at != std::string::npos; at = text.find(cut, at + 1)) {
    ++count;
  }
  EXPECT_EQ(count, 9u);
}

TEST_F(TftpServerTest, PortInUseIsReported) {
  ServerConfig cfg;
  cfg.address = *Ipv4::parse("127.0.0.1");
  cfg.port = server_->port();
  boost::asio::io_context other;
  try {
    Server second(other, cfg, *names_);
    FAIL() << "bound twice";
  } catch (const std::system_error& e) {
    EXPECT_NE(std::string(e.what()).find(
                  "cannot listen on TFTP 127.0.0.1:" + std::to_string(server_->port()) + ": "),
              std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace pxed::tftp
