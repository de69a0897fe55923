#include "lease/group_commit.h"

namespace pxed::lease {

GroupCommitWriter::GroupCommitWriter(SqliteStore& store, Callback on_batch, std::size_t max_batch)
    : store_(store), on_batch_(std::move(on_batch)), max_batch_(max_batch) {
  thread_ = std::thread([this] { run(); });
}

GroupCommitWriter::~GroupCommitWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

std::uint64_t GroupCommitWriter::enqueue(SqliteStore::Write write) {
  std::uint64_t ticket;
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(write));
    ticket = ++next_ticket_;
  }
  wake_.notify_one();
  return ticket;
}

void GroupCommitWriter::run() {
  std::uint64_t written = 0;  // ticket of the last write taken from the queue
  std::vector<SqliteStore::Write> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and everything is written
      if (queue_.size() <= max_batch_) {
        batch.swap(queue_);
      } else {
        batch.assign(
            std::make_move_iterator(queue_.begin()),
            std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(max_batch_)));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(max_batch_));
      }
    }
    written += batch.size();
    auto result = store_.apply(batch);
    on_batch_(written, result.has_value(), result ? std::string() : result.error().message);
    batch.clear();
  }
}

GroupCommitStore::GroupCommitStore(SqliteStore& durable, GroupCommitWriter& writer)
    : writer_(writer) {
  memory_.load_from(durable);
}

Result<void> GroupCommitStore::put(const Lease& lease) {
  last_ticket_ = writer_.enqueue(SqliteStore::Write{lease, false});
  return memory_.put(lease);
}

Result<void> GroupCommitStore::remove(Ipv4 address) {
  Lease gone;
  gone.address = address;
  last_ticket_ = writer_.enqueue(SqliteStore::Write{gone, true});
  return memory_.remove(address);
}

}  // namespace pxed::lease
