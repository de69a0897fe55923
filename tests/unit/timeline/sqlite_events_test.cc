#include "timeline/sqlite_events.h"

#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

#include <gtest/gtest.h>

#include "lease/sqlite_store.h"
#include "timeline/event_log.h"

namespace pxed::timeline {
namespace {

const MacAddress kMac = *MacAddress::parse("52:54:00:e2:e0:01");
const Ipv4 kIp = *Ipv4::parse("198.18.0.135");

class SqliteEventsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/pxed-events-XXXXXX";
    dir_ = ::mkdtemp(tmpl);
    path_ = (dir_ / "leases.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static Event numbered(std::int64_t id, std::int64_t at_ms) {
    Event e;
    e.id = id;
    e.at_ms = at_ms;
    e.mac = kMac;
    e.ip = kIp;
    e.protocol = Protocol::http;
    e.stage = Stage::rootfs;
    e.outcome = Outcome::ok;
    e.summary = "HTTP /rootfs.img 206 0-1048575";
    e.details = {{"file", "/rootfs.img"}, {"status", "206"}, {"range", "0-1048575"}};
    return e;
  }

  std::filesystem::path dir_;
  std::string path_;
};

TEST_F(SqliteEventsTest, RoundTripSurvivesReopening) {
  TransferFacts t;
  t.client = kIp;
  t.mac = kMac;
  t.file = "ipxe.efi";
  t.bytes = 850 * 1024;
  t.seconds = 0.2;
  t.blksize = 1468;
  t.windowsize = 4;
  Event tftp = tftp_event(1714564800123, t);
  tftp.id = 1;
  Event unknown;  // no MAC, no address, no details
  unknown.id = 2;
  unknown.at_ms = 1714564800200;
  unknown.summary = "TFTP mystery: access denied";
  unknown.protocol = Protocol::tftp;
  unknown.outcome = Outcome::failed;
  Event odd = numbered(3, 1714564800300);
  odd.details["file"] = "caf\xc3\xa9 \"quoted\"";
  {
    SqliteEvents db(path_);
    ASSERT_TRUE(db.append({tftp, unknown, odd}));
    EXPECT_EQ(*db.count(), 3u);
  }
  SqliteEvents db(path_);
  auto loaded = db.load_recent(100);
  ASSERT_TRUE(loaded) << loaded.error().message;
  ASSERT_EQ(loaded->size(), 3u);
  EXPECT_EQ((*loaded)[0], tftp);
  EXPECT_EQ((*loaded)[1], unknown);
  EXPECT_EQ((*loaded)[2], odd);
}

TEST_F(SqliteEventsTest, LivesBesideTheLeaseTables) {
  lease::SqliteStore leases(path_);
  SqliteEvents events(path_);
  ASSERT_TRUE(events.append({numbered(1, 10)}));
  EXPECT_TRUE(leases.all().empty());
  EXPECT_EQ(*events.count(), 1u);
}

TEST_F(SqliteEventsTest, LoadRecentGivesTheNewestOldestFirstAndRestoreContinuesIds) {
  SqliteEvents db(path_);
  std::vector<Event> batch;
  for (int i = 1; i <= 50; ++i) batch.push_back(numbered(i, 1000 + i));
  ASSERT_TRUE(db.append(batch));
  auto recent = db.load_recent(10);
  ASSERT_TRUE(recent);
  ASSERT_EQ(recent->size(), 10u);
  EXPECT_EQ(recent->front().id, 41);
  EXPECT_EQ(recent->back().id, 50);

  EventLog log;
  log.restore(*recent);
  EXPECT_EQ(log.size(), 10u);
  EXPECT_EQ(log.machine(kMac)->stage, Stage::rootfs);
  EXPECT_EQ(log.record(numbered(0, 2000)).id, 51);
}

TEST_F(SqliteEventsTest, AppendIsOneTransactionAllOrNothing) {
  SqliteEvents db(path_);
  // A trigger refuses one row of the batch: none of the batch is stored.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw,
                         "CREATE TRIGGER poison BEFORE INSERT ON events WHEN NEW.summary = "
                         "'poison' BEGIN SELECT RAISE(ABORT, 'poisoned row'); END",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  Event bad = numbered(2, 2);
  bad.summary = "poison";
  auto r = db.append({numbered(1, 1), bad, numbered(3, 3)});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("poisoned row"), std::string::npos) << r.error().message;
  EXPECT_EQ(*db.count(), 0u);

  ASSERT_EQ(sqlite3_exec(raw, "DROP TRIGGER poison", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(raw);
  ASSERT_TRUE(db.append({numbered(1, 1), numbered(2, 2), numbered(3, 3)}));
  EXPECT_EQ(*db.count(), 3u);
  // A row with an existing id is replaced, not duplicated.
  Event again = numbered(2, 2);
  again.summary = "replaced";
  ASSERT_TRUE(db.append({again}));
  EXPECT_EQ(*db.count(), 3u);
  EXPECT_EQ((*db.load_recent(3))[1].summary, "replaced");
}

TEST_F(SqliteEventsTest, PruneByAgeAndByRows) {
  SqliteEvents db(path_);
  std::vector<Event> batch;
  for (int i = 1; i <= 100; ++i) batch.push_back(numbered(i, i * 1000));  // at 1 s .. 100 s
  ASSERT_TRUE(db.append(batch));

  // Older than 60 s at 100 s: everything before 40 s goes (ids 1..39).
  auto removed = db.prune(100'000, 60'000, 0);
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 39u);
  EXPECT_EQ(db.load_recent(1000)->front().id, 40);

  // Then at most 25 rows: the newest stay.
  removed = db.prune(100'000, 0, 25);
  ASSERT_TRUE(removed);
  EXPECT_EQ(*removed, 36u);
  auto left = db.load_recent(1000);
  ASSERT_EQ(left->size(), 25u);
  EXPECT_EQ(left->front().id, 76);
  EXPECT_EQ(left->back().id, 100);

  // Both limits off, or limits already met: nothing goes.
  EXPECT_EQ(*db.prune(100'000, 0, 0), 0u);
  EXPECT_EQ(*db.prune(100'000, 1'000'000, 25), 0u);
  EXPECT_EQ(*db.count(), 25u);
}

TEST_F(SqliteEventsTest, UnreadableRowsAreSkipped) {
  {
    SqliteEvents db(path_);
    ASSERT_TRUE(db.append({numbered(1, 1), numbered(2, 2), numbered(3, 3)}));
  }
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  ASSERT_EQ(
      sqlite3_exec(raw, "UPDATE events SET stage = 'warp' WHERE id = 2", nullptr, nullptr, nullptr),
      SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(raw, "UPDATE events SET details = 'not json' WHERE id = 3", nullptr,
                         nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(raw);
  SqliteEvents db(path_);
  auto loaded = db.load_recent(10);
  ASSERT_TRUE(loaded);
  ASSERT_EQ(loaded->size(), 1u);
  EXPECT_EQ(loaded->front().id, 1);
}

TEST_F(SqliteEventsTest, OpeningABadPathThrowsNamingIt) {
  try {
    SqliteEvents db((dir_ / "missing" / "dir" / "leases.db").string());
    FAIL() << "opened a database in a directory that does not exist";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("missing/dir/leases.db"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace pxed::timeline
