#include "http/stream.h"

namespace pxed::http {

bool StreamChannel::push(std::string_view text) {
  std::lock_guard lock(mutex_);
  if (closed_ || overflowed_ || finished_) return false;
  if (pending_.size() + text.size() > max_pending_) {
    overflowed_ = true;
    pending_.clear();
  } else {
    pending_.append(text);
  }
  if (!announced_ && wake_) {
    announced_ = true;
    wake_();
  }
  return !overflowed_;
}

void StreamChannel::finish() {
  std::lock_guard lock(mutex_);
  if (closed_ || finished_) return;
  finished_ = true;
  if (!announced_ && wake_) {
    announced_ = true;
    wake_();
  }
}

void StreamChannel::attach(std::function<void()> wake) {
  std::lock_guard lock(mutex_);
  if (closed_) return;
  wake_ = std::move(wake);
}

std::string StreamChannel::take() {
  std::lock_guard lock(mutex_);
  announced_ = false;
  std::string out;
  out.swap(pending_);
  return out;
}

void StreamChannel::close() {
  std::lock_guard lock(mutex_);
  closed_ = true;
  wake_ = nullptr;
  pending_.clear();
}

bool StreamChannel::overflowed() const {
  std::lock_guard lock(mutex_);
  return overflowed_;
}

bool StreamChannel::finished() const {
  std::lock_guard lock(mutex_);
  return finished_;
}

}  // namespace pxed::http
