#include "timeline/event_writer.h"

#include <algorithm>
#include <vector>

namespace pxed::timeline {

EventWriter::EventWriter(EventSink& sink, std::size_t queue_limit, std::size_t max_batch,
                         ErrorCallback on_error)
    : sink_(sink),
      queue_limit_(std::max<std::size_t>(queue_limit, 1)),
      max_batch_(std::max<std::size_t>(max_batch, 1)),
      on_error_(std::move(on_error)),
      thread_([this] { run(); }) {}

EventWriter::~EventWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

bool EventWriter::enqueue(Event event) {
  {
    std::lock_guard lock(mutex_);
    if (queue_.size() >= queue_limit_) {
      ++stats_.dropped;
      return false;
    }
    queue_.push_back(std::move(event));
    ++stats_.queued;
  }
  wake_.notify_one();
  return true;
}

void EventWriter::prune(std::int64_t now_ms, std::int64_t max_age_ms, std::size_t max_rows) {
  {
    std::lock_guard lock(mutex_);
    prune_ = PruneRequest{now_ms, max_age_ms, max_rows};
    ++prunes_asked_;
  }
  wake_.notify_one();
}

bool EventWriter::flush(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mutex_);
  std::uint64_t target = stats_.queued;
  std::uint64_t prunes = prunes_asked_;
  return done_.wait_for(lock, timeout,
                        [&] { return finished_ >= target && prunes_done_ >= prunes; });
}

WriterStats EventWriter::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void EventWriter::run() {
  std::vector<Event> batch;
  for (;;) {
    std::optional<PruneRequest> prune;
    std::uint64_t prunes = 0;
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty() || prune_; });
      if (stopping_ && queue_.empty() && !prune_) return;
      std::size_t n = std::min(queue_.size(), max_batch_);
      batch.assign(std::make_move_iterator(queue_.begin()),
                   std::make_move_iterator(queue_.begin() + static_cast<std::ptrdiff_t>(n)));
      queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
      // Prune once the queue is drained, so the rows it judges include what was queued before.
      if (queue_.empty() && prune_) {
        prune = prune_;
        prune_.reset();
        prunes = prunes_asked_;
      }
    }

    std::optional<std::string> error;
    bool batch_ok = true;
    if (!batch.empty()) {
      auto r = sink_.append(batch);
      if (!r) {
        batch_ok = false;
        error = r.error().message;
      }
    }
    std::size_t removed = 0;
    std::optional<std::string> prune_error;
    if (prune) {
      auto r = sink_.prune(prune->now_ms, prune->max_age_ms, prune->max_rows);
      if (r) {
        removed = *r;
      } else {
        prune_error = r.error().message;
      }
    }
    if (on_error_) {
      try {
        if (error) on_error_(*error);
        if (prune_error) on_error_(*prune_error);
      } catch (...) {
        // A failing error report must not end the writer.
      }
    }

    {
      std::lock_guard lock(mutex_);
      (batch_ok ? stats_.written : stats_.failed) += batch.size();
      finished_ += batch.size();
      stats_.pruned += removed;
      if (prune) prunes_done_ = std::max(prunes_done_, prunes);
    }
    done_.notify_all();
    batch.clear();
  }
}

}  // namespace pxed::timeline
