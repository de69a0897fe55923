#include "api/event_stream.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "timeline/event.h"

namespace pxed::api {
namespace {

const MacAddress kMac({0x52, 0x54, 0, 0x5e, 0x00, 0x01});
const MacAddress kOther({0x52, 0x54, 0, 0x5e, 0x00, 0x02});

timeline::Event tftp(const MacAddress& mac, std::int64_t at_ms, const std::string& file) {
  timeline::TransferFacts t;
  t.client = *Ipv4::parse("198.18.0.100");
  t.mac = mac;
  t.file = file;
  t.bytes = 1000;
  t.seconds = 0.1;
  return timeline::tftp_event(at_ms, t);
}

http::Request get() {
  http::Request r;
  r.method = "GET";
  r.target = "/api/v1/events/stream";
  return r;
}

// The "id:" lines of a stream's text, in order.
std::vector<std::int64_t> ids_in(const std::string& text) {
  std::vector<std::int64_t> ids;
  for (std::size_t at = text.find("id: "); at != std::string::npos; at = text.find("id: ", at)) {
    at += 4;
    ids.push_back(std::stoll(text.substr(at, text.find('\n', at) - at)));
  }
  return ids;
}

TEST(EventStream, EventTextIsOneSseMessageWithTheJsonOnOneLine) {
  timeline::Event e = tftp(kMac, 1'000, "pxelinux.0");
  e.id = 7;
  e.summary = "two\nlines";
  const std::string text = sse_event(e);
  ASSERT_TRUE(text.starts_with("id: 7\nevent: boot\ndata: {"));
  ASSERT_TRUE(text.ends_with("}\n\n"));
  const std::string data = text.substr(text.find("data: ") + 6);
  EXPECT_EQ(data.find('\n'), data.size() - 2);  // no newline inside the JSON
  auto j = nlohmann::json::parse(data);
  EXPECT_EQ(j["id"], 7);
  EXPECT_EQ(j["summary"], "two\nlines");
}

TEST(EventStream, PlanIsAnEventStreamThatClosesTheConnection) {
  timeline::EventLog log;
  EventStreams streams(log);
  http::ResponsePlan plan = streams.open({}, get());
  EXPECT_EQ(plan.status, 200u);
  ASSERT_NE(plan.header("Content-Type"), nullptr);
  EXPECT_EQ(*plan.header("Content-Type"), "text/event-stream");
  EXPECT_EQ(plan.header("Content-Length"), nullptr);
  EXPECT_FALSE(plan.keep_alive);
  ASSERT_NE(plan.stream, nullptr);
  EXPECT_FALSE(plan.stream->keepalive_text.empty());
  EXPECT_EQ(plan.stream->keepalive_text.back(), '\n');
}

TEST(EventStream, LiveEventsAfterStartWithTheirMachine) {
  timeline::EventLog log;
  log.record(tftp(kMac, 1'000, "before.0"));  // not asked for: no replay
  EventStreams streams(log);
  http::ResponsePlan plan = streams.open({}, get());
  auto ch = std::make_shared<http::StreamChannel>();
  auto stop = plan.stream->start(ch);
  log.record(tftp(kMac, 2'000, "pxelinux.0"));
  log.record(tftp(kOther, 3'000, "ipxe.efi"));
  const std::string text = ch->take();
  EXPECT_TRUE(text.starts_with("retry: "));
  EXPECT_EQ(ids_in(text), (std::vector<std::int64_t>{2, 3}));
  EXPECT_NE(text.find("event: machine\ndata: {"), std::string::npos);
  EXPECT_EQ(text.find("before.0"), std::string::npos);
  stop();
  log.record(tftp(kMac, 4'000, "after.0"));
  EXPECT_EQ(ch->take(), "");  // unsubscribed
}

TEST(EventStream, ReplayFromAnIdThenLiveWithoutGapOrRepeat) {
  timeline::EventLog log;
  for (int i = 0; i < 5; ++i) log.record(tftp(kMac, 1'000 + i, "f" + std::to_string(i)));
  EventStreams streams(log);
  StreamRequest want;
  want.after_id = 2;
  http::ResponsePlan plan = streams.open(want, get());
  auto ch = std::make_shared<http::StreamChannel>();
  auto stop = plan.stream->start(ch);
  log.record(tftp(kMac, 9'000, "live"));
  EXPECT_EQ(ids_in(ch->take()), (std::vector<std::int64_t>{3, 4, 5, 6}));
  stop();
}

TEST(EventStream, OneMachineOnly) {
  timeline::EventLog log;
  log.record(tftp(kMac, 1'000, "a"));
  log.record(tftp(kOther, 1'001, "b"));
  EventStreams streams(log);
  StreamRequest want;
  want.mac = kOther;
  want.after_id = 0;
  http::ResponsePlan plan = streams.open(want, get());
  auto ch = std::make_shared<http::StreamChannel>();
  auto stop = plan.stream->start(ch);
  log.record(tftp(kMac, 2'000, "c"));
  log.record(tftp(kOther, 2'001, "d"));
  EXPECT_EQ(ids_in(ch->take()), (std::vector<std::int64_t>{2, 4}));
  stop();
}

TEST(EventStream, BacklogIsBounded) {
  timeline::EventLog log;
  for (int i = 0; i < 20; ++i) log.record(tftp(kMac, 1'000 + i, "f"));
  EventStreamLimits limits;
  limits.backlog = 5;
  EventStreams streams(log, limits);
  StreamRequest want;
  want.after_id = 0;
  http::ResponsePlan plan = streams.open(want, get());
  auto ch = std::make_shared<http::StreamChannel>();
  auto stop = plan.stream->start(ch);
  EXPECT_EQ(ids_in(ch->take()), (std::vector<std::int64_t>{16, 17, 18, 19, 20}));  // the newest
  stop();
}

TEST(EventStream, OverTheLimitIs503AndAPlaceIsFreedWithItsPlan) {
  timeline::EventLog log;
  EventStreamLimits limits;
  limits.max_streams = 2;
  EventStreams streams(log, limits);
  std::vector<http::ResponsePlan> held;
  held.push_back(streams.open({}, get()));
  held.push_back(streams.open({}, get()));
  EXPECT_EQ(streams.open_streams(), 2u);
  http::ResponsePlan refused = streams.open({}, get());
  EXPECT_EQ(refused.status, 503u);
  EXPECT_EQ(refused.stream, nullptr);
  ASSERT_NE(refused.header("Retry-After"), nullptr);
  EXPECT_NE(refused.body.find("limit"), std::string::npos);
  EXPECT_EQ(streams.open_streams(), 2u);
  held.pop_back();  // the connection let go of its plan
  EXPECT_EQ(streams.open_streams(), 1u);
  EXPECT_EQ(streams.open({}, get()).status, 200u);
}

}  // namespace
}  // namespace pxed::api
