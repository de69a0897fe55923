// One conformance suite, run against every LeaseStore backend.
#include <unistd.h>

#include <filesystem>
#include <memory>

#include <gtest/gtest.h>

#include "lease/group_commit.h"
#include "lease/memory_store.h"
#include "lease/sqlite_store.h"

namespace pxed::lease {
namespace {

struct Backend {
  virtual ~Backend() = default;
  virtual LeaseStore& store() = 0;
  virtual void reopen() {}  // persistent backends: close and open again
  virtual bool persistent() const { return false; }
};

struct MemoryBackend : Backend {
  MemoryStore s;
  LeaseStore& store() override { return s; }
};

struct SqliteBackend : Backend {
  std::filesystem::path dir;
  std::unique_ptr<SqliteStore> s;
  SqliteBackend() {
    char tmpl[] = "/tmp/pxed-lease-XXXXXX";
    dir = ::mkdtemp(tmpl);
    s = std::make_unique<SqliteStore>((dir / "leases.db").string());
  }
  ~SqliteBackend() override {
    s.reset();
    std::filesystem::remove_all(dir);
  }
  LeaseStore& store() override { return *s; }
  void reopen() override {
    s.reset();
    s = std::make_unique<SqliteStore>((dir / "leases.db").string());
  }
  bool persistent() const override { return true; }
};

// Memory at once, SQLite through the group-commit writer, as the daemon runs it.
struct GroupCommitBackend : SqliteBackend {
  std::unique_ptr<GroupCommitWriter> writer;
  std::unique_ptr<GroupCommitStore> gc;
  GroupCommitBackend() { open(); }
  ~GroupCommitBackend() override { close(); }
  void open() {
    writer =
        std::make_unique<GroupCommitWriter>(*s, [](std::uint64_t, bool, const std::string&) {});
    gc = std::make_unique<GroupCommitStore>(*s, *writer);
  }
  void close() {
    gc.reset();
    writer.reset();  // flushes
  }
  LeaseStore& store() override { return *gc; }
  void reopen() override {
    close();
    SqliteBackend::reopen();
    open();
  }
};

using Factory = std::unique_ptr<Backend> (*)();

std::string backend_name(const ::testing::TestParamInfo<Factory>& info) {
  static const char* const kNames[] = {"Memory", "Sqlite", "GroupCommitSqlite"};
  return kNames[info.index];
}

class LeaseStoreConformance : public ::testing::TestWithParam<Factory> {
 protected:
  void SetUp() override { b_ = GetParam()(); }
  std::unique_ptr<Backend> b_;
};

Lease make(const char* ip, const char* key, std::int64_t exp, std::uint8_t n = 1) {
  return Lease{*Ipv4::parse(ip), key, MacAddress({0x52, 0x54, 0, 0, 0, n}), "host", exp};
}

TEST_P(LeaseStoreConformance, PutThenFindByAddressAndClient) {
  LeaseStore& s = b_->store();
  ASSERT_TRUE(s.put(make("198.18.0.100", "hw:a", 100)));
  EXPECT_EQ(s.by_address(*Ipv4::parse("198.18.0.100")), make("198.18.0.100", "hw:a", 100));
  EXPECT_EQ(s.by_client("hw:a")->address.to_string(), "198.18.0.100");
  EXPECT_FALSE(s.by_address(*Ipv4::parse("198.18.0.101")));
  EXPECT_FALSE(s.by_client("hw:b"));
}

TEST_P(LeaseStoreConformance, PutReplacesTheLeaseOfAnAddress) {
  LeaseStore& s = b_->store();
  ASSERT_TRUE(s.put(make("198.18.0.100", "hw:a", 100)));
  ASSERT_TRUE(s.put(make("198.18.0.100", "hw:b", 200, 2)));
  EXPECT_EQ(s.by_address(*Ipv4::parse("198.18.0.100"))->client_key, "hw:b");
  EXPECT_FALSE(s.by_client("hw:a"));
  EXPECT_EQ(s.all().size(), 1u);
}

TEST_P(LeaseStoreConformance, ByClientReturnsTheLatestWrite) {
  LeaseStore& s = b_->store();
  ASSERT_TRUE(s.put(make("198.18.0.100", "hw:a", 100)));
  ASSERT_TRUE(s.put(make("198.18.0.105", "hw:a", 50)));
  EXPECT_EQ(s.by_client("hw:a")->address.to_string(), "198.18.0.105");
}

TEST_P(LeaseStoreConformance, RemoveForgets) {
  LeaseStore& s = b_->store();
  ASSERT_TRUE(s.put(make("198.18.0.100", "hw:a", 100)));
  ASSERT_TRUE(s.remove(*Ipv4::parse("198.18.0.100")));
  EXPECT_FALSE(s.by_address(*Ipv4::parse("198.18.0.100")));
  EXPECT_FALSE(s.by_client("hw:a"));
  EXPECT_TRUE(s.remove(*Ipv4::parse("198.18.0.100")));  // removing nothing is fine
}

TEST_P(LeaseStoreConformance, AllListsInAddressOrder) {
  LeaseStore& s = b_->store();
  ASSERT_TRUE(s.put(make("198.18.0.120", "hw:b", 100, 2)));
  ASSERT_TRUE(s.put(make("198.18.0.100", "hw:a", 100)));
  auto all = s.all();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].address.to_string(), "198.18.0.100");
  EXPECT_EQ(all[1].address.to_string(), "198.18.0.120");
}

TEST_P(LeaseStoreConformance, SurvivesReopenWhenPersistent) {
  if (!b_->persistent()) GTEST_SKIP() << "in-memory store";
  ASSERT_TRUE(b_->store().put(make("198.18.0.100", "hw:a", 100)));
  ASSERT_TRUE(b_->store().put(make("198.18.0.101", "hw:a", 100)));
  b_->reopen();
  EXPECT_EQ(b_->store().by_address(*Ipv4::parse("198.18.0.100")),
            make("198.18.0.100", "hw:a", 100));
  // Write order survives too.
  EXPECT_EQ(b_->store().by_client("hw:a")->address.to_string(), "198.18.0.101");
}

INSTANTIATE_TEST_SUITE_P(
    Backends, LeaseStoreConformance,
    ::testing::Values(
        +[]() -> std::unique_ptr<Backend> { return std::make_unique<MemoryBackend>(); },
        +[]() -> std::unique_ptr<Backend> { return std::make_unique<SqliteBackend>(); },
        +[]() -> std::unique_ptr<Backend> { return std::make_unique<GroupCommitBackend>(); }),
    backend_name);

TEST(SqliteStore, UnopenablePathSaysWhere) {
  try {
    SqliteStore s("/nonexistent-dir-pxed/leases.db");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent-dir-pxed/leases.db"), std::string::npos);
  }
}

}  // namespace
}  // namespace pxed::lease
