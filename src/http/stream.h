// A response body produced over time, such as server-sent events: after the head, the
// connection writes whatever a producer pushes, until the client goes away, the producer stops
// or the server stops. The producer pushes from any thread (a timeline subscriber runs on the
// DHCP, TFTP or HTTP threads); the connection takes the text on its own thread.
//
// Bounded: a client that does not read while text keeps coming loses its stream once
// `max_pending` bytes wait (push() then returns false), never the server's memory.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace pxed::http {

class StreamChannel {
 public:
  explicit StreamChannel(std::size_t max_pending = 1024 * 1024) : max_pending_(max_pending) {}
  StreamChannel(const StreamChannel&) = delete;
  StreamChannel& operator=(const StreamChannel&) = delete;

  // Producer side, any thread. Queues the text; false once the channel is closed or it has
  // overflowed (the producer may stop pushing then).
  bool push(std::string_view text);
  // Producer side: no more text will come; the connection closes after what is queued.
  void finish();

  // Consumer side (the connection). `wake` is called, under the channel's lock and from the
  // pushing thread, when text arrives while none was waiting; it should only post work to the
  // connection's loop. Text already queued is not announced: take() it after attaching.
  void attach(std::function<void()> wake);
  std::string take();  // everything queued, in order; the next push() wakes again
  // Closed to further pushes, once: wake is never called again after close() returns.
  void close();

  bool overflowed() const;
  bool finished() const;  // finish() was called (the text queued before it is still there)

 private:
  mutable std::mutex mutex_;
  std::string pending_;
  std::size_t max_pending_;
  std::function<void()> wake_;
  bool announced_ = false;  // wake_ was called and take() has not run since
  bool closed_ = false;
  bool overflowed_ = false;
  bool finished_ = false;
};

// How a handler asks for a streamed response (ResponsePlan::stream). The plan's head is sent
// as usual but without Content-Length, and the connection closes at the end of the stream.
struct StreamPlan {
  // Called once on the connection's thread once the head is sent, with the channel to push
  // into. It returns what to call when the stream ends, for whatever reason (for instance to
  // unsubscribe); it may return an empty function.
  std::function<std::function<void()>(std::shared_ptr<StreamChannel>)> start;
  // Sent when nothing else was for this long (an SSE comment, say), so that idle streams stay
  // open through proxies and a client that went away is noticed; empty: nothing is sent.
  std::string keepalive_text;
  std::chrono::seconds keepalive_every{15};
  std::size_t max_pending = 1024 * 1024;
};

}  // namespace pxed::http
