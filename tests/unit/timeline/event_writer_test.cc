#include "timeline/event_writer.h"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <future>
#include <mutex>

#include <gtest/gtest.h>

#include "timeline/event_log.h"

namespace pxed::timeline {
namespace {

using namespace std::chrono_literals;

Event numbered(std::int64_t id) {
  Event e;
  e.id = id;
  e.at_ms = id * 10;
  e.summary = "event " + std::to_string(id);
  return e;
}

// A sink whose append() waits until the test opens the gate, and records what it got.
class GatedSink final : public EventSink {
 public:
  Result<void> append(const std::vector<Event>& batch) override {
    std::unique_lock lock(mutex_);
    ++entered_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return open_; });
    batches_.push_back(batch.size());
    for (const auto& e : batch) ids_.push_back(e.id);
    if (fail_) return fail(Errc::io, "disk on fire");
    return {};
  }
  Result<std::size_t> prune(std::int64_t now_ms, std::int64_t max_age_ms,
                            std::size_t max_rows) override {
    std::lock_guard lock(mutex_);
    prunes_.push_back({now_ms, max_age_ms, static_cast<std::int64_t>(max_rows)});
    return std::size_t{7};
  }
  void open() {
    std::lock_guard lock(mutex_);
    open_ = true;
    changed_.notify_all();
  }
  bool wait_entered(int n) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, 5s, [&] { return entered_ >= n; });
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = true;
  bool fail_ = false;
  int entered_ = 0;
  std::vector<std::size_t> batches_;
  std::vector<std::int64_t> ids_;
  std::vector<std::array<std::int64_t, 3>> prunes_;
};

TEST(SqliteEventsWriter, WritesEverythingInOrderInBatches) {
  GatedSink sink;
  {
    EventWriter writer(sink, 1000, 16);
    for (int i = 1; i <= 100; ++i) ASSERT_TRUE(writer.enqueue(numbered(i)));
    ASSERT_TRUE(writer.flush(5s));
    auto s = writer.stats();
    EXPECT_EQ(s.queued, 100u);
    EXPECT_EQ(s.written, 100u);
    EXPECT_EQ(s.dropped, 0u);
    EXPECT_EQ(s.failed, 0u);
  }
  ASSERT_EQ(sink.ids_.size(), 100u);
  for (std::size_t i = 0; i < sink.ids_.size(); ++i) EXPECT_EQ(sink.ids_[i], std::int64_t(i + 1));
  for (auto n : sink.batches_) EXPECT_LE(n, 16u);
}

TEST(SqliteEventsWriter, NeverBlocksWhenTheQueueIsFullAndCountsDrops) {
  GatedSink sink;
  sink.open_ = false;  // the disk is stuck
  EventWriter writer(sink, /*queue_limit=*/8, /*max_batch=*/4);
  ASSERT_TRUE(writer.enqueue(numbered(1)));
  ASSERT_TRUE(sink.wait_entered(1));  // the writer holds event 1 inside append(), stuck

  // Filling the queue and overflowing it must return at once; run it on another thread so a
  // blocking enqueue fails the test instead of hanging it.
  auto results = std::async(std::launch::async, [&] {
    std::vector<bool> accepted;
    for (int i = 2; i <= 20; ++i) accepted.push_back(writer.enqueue(numbered(i)));
    return accepted;
  });
  ASSERT_EQ(results.wait_for(5s), std::future_status::ready) << "enqueue blocked";
  auto accepted = results.get();
  for (std::size_t i = 0; i < accepted.size(); ++i) EXPECT_EQ(accepted[i], i < 8) << i;
  auto s = writer.stats();
  EXPECT_EQ(s.queued, 9u);
  EXPECT_EQ(s.dropped, 11u);
  EXPECT_EQ(s.written, 0u);

  sink.open();
  ASSERT_TRUE(writer.flush(5s));
  s = writer.stats();
  EXPECT_EQ(s.written, 9u);
  EXPECT_EQ(sink.ids_, (std::vector<std::int64_t>{1, 2, 3, 4, 5, 6, 7, 8, 9}));
}

TEST(SqliteEventsWriter, FailedBatchesAreCountedAndReported) {
  GatedSink sink;
  sink.fail_ = true;
  std::mutex m;
  std::vector<std::string> errors;
  EventWriter writer(sink, 100, 100, [&](const std::string& e) {
    std::lock_guard lock(m);
    errors.push_back(e);
  });
  writer.enqueue(numbered(1));
  writer.enqueue(numbered(2));
  ASSERT_TRUE(writer.flush(5s));
  auto s = writer.stats();
  EXPECT_EQ(s.failed, 2u);
  EXPECT_EQ(s.written, 0u);
  std::lock_guard lock(m);
  ASSERT_FALSE(errors.empty());
  EXPECT_EQ(errors.front(), "disk on fire");
}

TEST(SqliteEventsWriter, PruneRunsOnTheWriterThreadAfterQueuedEvents) {
  GatedSink sink;
  EventWriter writer(sink);
  writer.enqueue(numbered(1));
  writer.prune(5000, 1000, 10);
  ASSERT_TRUE(writer.flush(5s));
  EXPECT_EQ(writer.stats().pruned, 7u);
  std::lock_guard lock(sink.mutex_);
  ASSERT_EQ(sink.prunes_.size(), 1u);
  EXPECT_EQ(sink.prunes_[0], (std::array<std::int64_t, 3>{5000, 1000, 10}));
  EXPECT_EQ(sink.ids_, (std::vector<std::int64_t>{1}));
}

TEST(SqliteEventsWriter, EventLogToSqliteAndBackAfterARestart) {
  char tmpl[] = "/tmp/pxed-writer-XXXXXX";
  std::filesystem::path dir = ::mkdtemp(tmpl);
  std::string path = (dir / "leases.db").string();
  {
    SqliteEvents db(path);
    EventWriter writer(db);
    EventLog log;
    log.subscribe([&writer](const Event& e) { writer.enqueue(e); });
    TransferFacts t;
    t.mac = *MacAddress::parse("52:54:00:e2:e0:01");
    t.file = "pxelinux.0";
    t.bytes = 46909;
    for (int i = 0; i < 30; ++i) log.record(tftp_event(1000 + i, t));
    ASSERT_TRUE(writer.flush(5s));
    EXPECT_EQ(writer.stats().written, 30u);
    writer.prune(0, 0, 20);
    ASSERT_TRUE(writer.flush(5s));
    EXPECT_EQ(writer.stats().pruned, 10u);
  }
  {
    SqliteEvents db(path);
    EventLog log;
    auto loaded = db.load_recent(10000);
    ASSERT_TRUE(loaded);
    log.restore(*loaded);
    auto events = log.query({.limit = 0});
    ASSERT_EQ(events.size(), 20u);
    EXPECT_EQ(events.front().id, 11);
    EXPECT_EQ(events.back().summary, "TFTP pxelinux.0 46 KB in 0 s");
    EXPECT_EQ(log.record(Event{}).id, 31);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace pxed::timeline
