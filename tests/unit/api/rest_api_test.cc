#include "api/rest_api.h"

#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "timeline/event.h"

namespace pxed::api {
namespace {

using nlohmann::json;
const MacAddress kMac({0x52, 0x54, 0, 0x71, 0x3e, 0x01});
const MacAddress kOther({0x52, 0x54, 0, 0x71, 0x3e, 0x02});

http::Request get(const std::string& target, const std::string& method = "GET") {
  http::Request r;
  r.method = method;
  r.target = target;
  return r;
}

json body_of(const http::ResponsePlan& p) {
  return json::parse(p.body);
}

class RestApi : public ::testing::Test {
 protected:
  void SetUp() override {
    timeline::TransferFacts t;
    t.client = *Ipv4::parse("198.18.0.100");
    t.mac = kMac;
    t.file = "pxelinux.0";
    t.bytes = 300000;
    t.seconds = 0.2;
    log_.record(timeline::tftp_event(1'000, t));
    t.mac = kOther;
    t.file = "ipxe.efi";
    log_.record(timeline::tftp_event(2'000, t));
    t.mac = kMac;
    t.file = "missing.cfg";
    t.ok = false;
    t.error = "not found";
    log_.record(timeline::tftp_event(3'000, t));
    sources_.events = &log_;
    sources_.version = "0.1.0";
    sources_.config_digest = "fnv1a64:0123456789abcdef";
    sources_.started_ms = 1'000;
    sources_.leases = [] {
      lease::Lease l;
      l.address = *Ipv4::parse("198.18.0.100");
      l.mac = kMac;
      l.client_key = "hw:52:54:00:71:3e:01";
      l.expires_at = 100;
      return std::vector<lease::Lease>{l};
    };
    boot::Profile p;
    p.name = "live";
    p.kernel = "vmlinuz";
    p.loader_files[7] = "snponly.efi";
    sources_.profiles.push_back(p);
  }
  timeline::EventLog log_;
  Sources sources_;
};

TEST_F(RestApi, OtherTargetsAreNotOurs) {
  EXPECT_FALSE(handle(sources_, get("/rootfs.img"), 0));
  EXPECT_FALSE(handle(sources_, get("/apis"), 0));
}

TEST_F(RestApi, EventsFilteredByMacAndTime) {
  auto all = handle(sources_, get("/api/v1/events"), 5'000);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->status, 200u);
  EXPECT_EQ(*all->header("Content-Type"), "application/json");
  EXPECT_EQ(*all->header("Content-Length"), std::to_string(all->body.size()));
  EXPECT_EQ(body_of(*all)["events"].size(), 3u);
  EXPECT_EQ(body_of(*all)["last_id"], 3);

  auto mine = handle(sources_, get("/api/v1/events?mac=52%3A54%3A00%3A71%3A3e%3A01&since=2000"), 0);
  ASSERT_TRUE(mine);
  json ev = body_of(*mine)["events"];
  ASSERT_EQ(ev.size(), 1u);
  EXPECT_EQ(ev[0]["summary"], "TFTP missing.cfg: not found");
  EXPECT_EQ(ev[0]["outcome"], "failed");

  auto after = handle(sources_, get("/api/v1/events?after=2&limit=5"), 0);
  ASSERT_TRUE(after);
  EXPECT_EQ(body_of(*after)["events"].size(), 1u);
  auto newest = handle(sources_, get("/api/v1/events?limit=2"), 0);
  ASSERT_TRUE(newest);
  EXPECT_EQ(body_of(*newest)["events"][0]["id"], 2);  // the newest two, oldest first
}

TEST_F(RestApi, BadParametersAre400NamingThem) {
  auto bad = handle(sources_, get("/api/v1/events?limit=-1"), 0);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400u);
  EXPECT_EQ(body_of(*bad)["error"], "limit: expected a non-negative integer, got \"-1\"");
  auto mac = handle(sources_, get("/api/v1/events?mac=zz"), 0);
  ASSERT_TRUE(mac);
  EXPECT_EQ(mac->status, 400u);
  auto machine = handle(sources_, get("/api/v1/machines/nope"), 0);
  ASSERT_TRUE(machine);
  EXPECT_EQ(machine->status, 400u);
}

TEST_F(RestApi, MachinesAndOneMachine) {
  auto list = handle(sources_, get("/api/v1/machines"), 0);
  ASSERT_TRUE(list);
  EXPECT_EQ(body_of(*list)["machines"].size(), 2u);
  auto one = handle(sources_, get("/api/v1/machines/52:54:00:71:3e:01"), 0);
  ASSERT_TRUE(one);
  EXPECT_EQ(body_of(*one)["machine"]["mac"], "52:54:00:71:3e:01");
  EXPECT_EQ(body_of(*one)["events"].size(), 2u);
  auto unknown = handle(sources_, get("/api/v1/machines/52:54:00:00:00:09"), 0);
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->status, 404u);
}

TEST_F(RestApi, StatusLeasesProfilesHosts) {
  auto status = handle(sources_, get("/api/v1/status"), 61'000);
  ASSERT_TRUE(status);
  json s = body_of(*status);
  EXPECT_EQ(s["uptime_s"], 60);
  EXPECT_EQ(s["version"], "0.1.0");
  EXPECT_EQ(s["config_digest"], "fnv1a64:0123456789abcdef");
  EXPECT_EQ(s["machines"], 2);
  EXPECT_EQ(s["leases_active"], 1);  // expires at 100 s, now 61 s
  auto leases = handle(sources_, get("/api/v1/leases"), 200'000);
  ASSERT_TRUE(leases);
  EXPECT_EQ(body_of(*leases)["leases"][0]["active"], false);  // now 200 s
  EXPECT_EQ(body_of(*leases)["leases"][0]["address"], "198.18.0.100");
  auto profiles = handle(sources_, get("/api/v1/profiles"), 0);
  ASSERT_TRUE(profiles);
  json p = body_of(*profiles)["profiles"][0];
  EXPECT_EQ(p["name"], "live");
  EXPECT_EQ(p["loader"], "ipxe");
  EXPECT_EQ(p["loader_files"]["7"], "snponly.efi");
  auto hosts = handle(sources_, get("/api/v1/hosts"), 0);  // no host directory: none
  ASSERT_TRUE(hosts);
  EXPECT_EQ(body_of(*hosts), json({{"hosts", json::array()}}));
}

TEST_F(RestApi, ErrorsAreJson) {
  auto nothing = handle(sources_, get("/api/v1/nothing"), 0);
  ASSERT_TRUE(nothing);
  EXPECT_EQ(nothing->status, 404u);
  EXPECT_EQ(body_of(*nothing)["error"], "no such API: /api/v1/nothing");
  auto v2 = handle(sources_, get("/api/v2/status"), 0);
  ASSERT_TRUE(v2);
  EXPECT_EQ(v2->status, 404u);
  auto post = handle(sources_, get("/api/v1/hosts", "POST"), 0);
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405u);
  EXPECT_EQ(*post->header("Allow"), "GET, HEAD");
  Sources none;
  auto off = handle(none, get("/api/v1/events"), 0);
  ASSERT_TRUE(off);
  EXPECT_EQ(off->status, 404u);
}

class RestApiHosts : public RestApi {
 protected:
  void SetUp() override {
    RestApi::SetUp();
    sources_.token = "s3cret";
    sources_.find_host = [this](const MacAddress& mac) -> std::optional<boot::HostRecord> {
      auto it = hosts_.find(mac);
      if (it == hosts_.end()) return std::nullopt;
      return it->second;
    };
    sources_.put_host = [this](const boot::HostRecord& h) -> Result<void> {
      hosts_[h.mac] = h;
      return {};
    };
    sources_.remove_host = [this](const MacAddress& mac) -> Result<bool> {
      return hosts_.erase(mac) == 1;
    };
  }
  http::Request write(const std::string& method, const std::string& body,
                      const std::string& auth = "Bearer s3cret") {
    http::Request r = get("/api/v1/hosts/52:54:00:71:3e:01", method);
    r.body = body;
    r.authorization = auth;
    return r;
  }
  std::map<MacAddress, boot::HostRecord> hosts_;
};

TEST_F(RestApi, EventStreamTakesMacAfterAndLastEventId) {
  EXPECT_EQ(handle(sources_, get("/api/v1/events/stream"), 0)->status, 404u);  // none bound
  std::vector<StreamRequest> asked;
  sources_.event_stream = [&asked](const StreamRequest& what, const http::Request&) {
    asked.push_back(what);
    http::ResponsePlan plan;
    plan.status = 200;
    return plan;
  };
  EXPECT_EQ(handle(sources_, get("/api/v1/events/stream"), 0)->status, 200u);
  EXPECT_EQ(handle(sources_, get("/api/v1/events/stream?mac=52:54:00:71:3e:01&after=2"), 0)->status,
            200u);
  http::Request again = get("/api/v1/events/stream?after=2");
  again.last_event_id = "40";
  EXPECT_EQ(handle(sources_, again, 0)->status, 200u);
  ASSERT_EQ(asked.size(), 3u);
  EXPECT_FALSE(asked[0].mac);
  EXPECT_FALSE(asked[0].after_id);
  EXPECT_EQ(asked[1].mac, kMac);
  EXPECT_EQ(asked[1].after_id, 2);
  EXPECT_EQ(asked[2].after_id, 40);  // the reconnecting client's own

  EXPECT_EQ(handle(sources_, get("/api/v1/events/stream?after=x"), 0)->status, 400u);
  EXPECT_EQ(handle(sources_, get("/api/v1/events/stream?mac=zz"), 0)->status, 400u);
  http::Request bad = get("/api/v1/events/stream");
  bad.last_event_id = "-3";
  auto refused = handle(sources_, bad, 0);
  EXPECT_EQ(refused->status, 400u);
  EXPECT_NE(refused->body.find("Last-Event-ID"), std::string::npos);
  EXPECT_EQ(asked.size(), 3u);
}

TEST_F(RestApiHosts, WritesNeedTheToken) {
  auto none = handle(sources_, write("PUT", "{}", ""), 0);
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401u);
  EXPECT_EQ(*none->header("WWW-Authenticate"), "Bearer realm=\"pxed\"");
  auto wrong = handle(sources_, write("PUT", "{}", "Bearer s3creT"), 0);
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 401u);
  auto longer = handle(sources_, write("PUT", "{}", "Bearer s3cret2"), 0);
  ASSERT_TRUE(longer);
  EXPECT_EQ(longer->status, 401u);
  sources_.token.clear();
  auto off = handle(sources_, write("PUT", "{}"), 0);
  ASSERT_TRUE(off);
  EXPECT_EQ(off->status, 403u);
  EXPECT_TRUE(hosts_.empty());
}

TEST_F(RestApiHosts, PutPatchGetDelete) {
  auto created =
      handle(sources_, write("PUT", R"({"profile":"live","labels":["a","b"],"boot_once":true})"), 0);
  ASSERT_TRUE(created);
  EXPECT_EQ(created->status, 201u);
  ASSERT_EQ(hosts_.size(), 1u);
  EXPECT_EQ(hosts_.begin()->second.labels, (std::vector<std::string>{"a", "b"}));
  hosts_.begin()->second.netbooted_at = 77;  // its boot happened
  auto patched = handle(sources_, write("PATCH", R"({"hostname":"n1"})"), 0);
  ASSERT_TRUE(patched);
  EXPECT_EQ(patched->status, 200u);
  EXPECT_EQ(body_of(*patched)["profile"], "live");  // kept
  EXPECT_EQ(body_of(*patched)["netbooted_at"], 77);  // PATCH without boot_once keeps the mark
  auto rearmed = handle(sources_, write("PATCH", R"({"boot_once":true})"), 0);
  ASSERT_TRUE(rearmed);
  EXPECT_EQ(body_of(*rearmed)["netbooted_at"], 0);  // a new network boot is armed
  auto replaced = handle(sources_, write("PUT", R"({"hostname":"n2"})"), 0);
  ASSERT_TRUE(replaced);
  EXPECT_EQ(replaced->status, 200u);
  EXPECT_EQ(body_of(*replaced)["profile"], "");  // PUT replaces the whole record
  auto read = handle(sources_, get("/api/v1/hosts/52:54:00:71:3e:01"), 0);
  ASSERT_TRUE(read);
  EXPECT_EQ(body_of(*read)["hostname"], "n2");
  auto gone = handle(sources_, write("DELETE", ""), 0);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->status, 204u);
  EXPECT_TRUE(gone->body.empty());
  auto again = handle(sources_, write("DELETE", ""), 0);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 404u);
}

TEST_F(RestApiHosts, BadBodiesSayWhy) {
  auto reason = [&](const std::string& body) {
    auto plan = handle(sources_, write("PUT", body), 0);
    EXPECT_TRUE(plan);
    EXPECT_EQ(plan->status, 400u) << body;
    return body_of(*plan)["error"].get<std::string>();
  };
  EXPECT_EQ(reason(R"({"profile":"nosuch"})"),
            "profile: no profile named \"nosuch\" (known: live)");
  EXPECT_EQ(reason(R"({"labels":"a"})"), "labels: expected an array of strings");
  EXPECT_EQ(reason(R"({"labels":[""]})"), "labels: expected an array of non-empty strings");
  EXPECT_EQ(reason(R"({"boot_once":"yes"})"), "boot_once: expected true or false");
  EXPECT_EQ(reason(R"({"colour":1})"),
            "unknown field \"colour\" (profile, hostname, labels, boot_once)");
  EXPECT_EQ(reason("[1]"), "expected a JSON object");
  EXPECT_TRUE(reason("{").starts_with("the body is not JSON: "));
  EXPECT_TRUE(hosts_.empty());
  auto bad_mac = handle(sources_, get("/api/v1/hosts/xyz", "PUT"), 0);
  ASSERT_TRUE(bad_mac);
  EXPECT_EQ(bad_mac->status, 400u);
  auto post = handle(sources_, get("/api/v1/hosts/52:54:00:71:3e:01", "POST"), 0);
  ASSERT_TRUE(post);
  EXPECT_EQ(post->status, 405u);
  EXPECT_EQ(*post->header("Allow"), "GET, HEAD, PUT, PATCH, DELETE");
}

TEST(RestApiQuery, ValuesAreDecoded) {
  EXPECT_EQ(query_value("a=1&b=x%20y+z", "b"), "x y z");
  EXPECT_EQ(query_value("a=1&b=2", "a"), "1");
  EXPECT_EQ(query_value("a&b=2", "a"), "");
  EXPECT_EQ(query_value("a=1", "c"), std::nullopt);
  EXPECT_EQ(query_value("", "a"), std::nullopt);
  EXPECT_EQ(query_value("a=%zz%4", "a"), "%zz%4");  // a broken escape stays as it is
}

}  // namespace
}  // namespace pxed::api
