#include "core/metrics.h"

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>

#include <gtest/gtest.h>

namespace pxed {
namespace {

TEST(MetricsRender, EmptyRegistryIsEmpty) {
  MetricsRegistry r;
  EXPECT_EQ(render_prometheus(r), "");
}

TEST(MetricsRender, CounterWithoutLabels) {
  MetricsRegistry r;
  r.counter("pxed_timeline_events_total", "Events recorded.").inc(3);
  EXPECT_EQ(render_prometheus(r),
            "# HELP pxed_timeline_events_total Events recorded.\n"
            "# TYPE pxed_timeline_events_total counter\n"
            "pxed_timeline_events_total 3\n");
}

TEST(MetricsRender, CounterFamilySortedByLabelValues) {
  MetricsRegistry r;
  auto& f = r.counter_family("pxed_dhcp_messages_total", "DHCP messages.", {"type", "reply"});
  f.with({"request", "ack"}).inc();
  f.with({"discover", "offer"}).inc(2);
  f.with({"discover", "none"}).inc();
  f.with({"request", "ack"}).inc();
  EXPECT_EQ(render_prometheus(r),
            "# HELP pxed_dhcp_messages_total DHCP messages.\n"
            "# TYPE pxed_dhcp_messages_total counter\n"
            "pxed_dhcp_messages_total{type=\"discover\",reply=\"none\"} 1\n"
            "pxed_dhcp_messages_total{type=\"discover\",reply=\"offer\"} 2\n"
            "pxed_dhcp_messages_total{type=\"request\",reply=\"ack\"} 2\n");
}

TEST(MetricsRender, FamilyWithoutMetricsShowsOnlyItsHeader) {
  MetricsRegistry r;
  r.counter_family("x_total", "X.", {"a"});
  EXPECT_EQ(render_prometheus(r), "# HELP x_total X.\n# TYPE x_total counter\n");
}

TEST(MetricsRender, LabelValuesAndHelpAreEscaped) {
  MetricsRegistry r;
  auto& f = r.counter_family("pxed_http_requests_total", "Back\\slash and\nnew \"line\".",
                             {"path"});
  f.with({"a\\b\"c\nd"}).inc();
  EXPECT_EQ(render_prometheus(r),
            "# HELP pxed_http_requests_total Back\\\\slash and\\nnew \"line\".\n"
            "# TYPE pxed_http_requests_total counter\n"
            "pxed_http_requests_total{path=\"a\\\\b\\\"c\\nd\"} 1\n");
}

TEST(MetricsRender, MissingLabelValuesAreEmpty) {
  MetricsRegistry r;
  r.counter_family("x_total", "X.", {"a", "b"}).with({"1"}).inc();
  EXPECT_EQ(render_prometheus(r),
            "# HELP x_total X.\n# TYPE x_total counter\nx_total{a=\"1\",b=\"\"} 1\n");
}

TEST(MetricsRender, Gauges) {
  MetricsRegistry r;
  r.gauge("pxed_uptime_seconds", "Uptime.").set(12.5);
  auto& leases = r.gauge_family("pxed_dhcp_leases_in_use", "Leases.", {"subnet", "pool"});
  leases.with({"198.18.0.0/24", "198.18.0.100-198.18.0.199"}).set(7);
  leases.with({"198.18.0.0/24", "198.18.0.100-198.18.0.199"}).add(-2);
  EXPECT_EQ(render_prometheus(r),
            "# HELP pxed_uptime_seconds Uptime.\n"
            "# TYPE pxed_uptime_seconds gauge\n"
            "pxed_uptime_seconds 12.5\n"
            "# HELP pxed_dhcp_leases_in_use Leases.\n"
            "# TYPE pxed_dhcp_leases_in_use gauge\n"
            "pxed_dhcp_leases_in_use{subnet=\"198.18.0.0/24\",pool=\"198.18.0.100-198.18.0.199\"} "
            "5\n");
}

TEST(MetricsRender, HistogramBucketsAreCumulative) {
  MetricsRegistry r;
  auto& f = r.histogram_family("pxed_boot_stage_seconds", "Seconds from boot start.", {"stage"},
                               {0.5, 1, 5});
  auto& loader = f.with({"loader"});
  loader.observe(0.25);
  loader.observe(0.5);  // bounds are inclusive
  loader.observe(3);
  loader.observe(7.75);
  f.with({"dhcp_ack"});  // made, never observed
  EXPECT_EQ(render_prometheus(r),
            "# HELP pxed_boot_stage_seconds Seconds from boot start.\n"
            "# TYPE pxed_boot_stage_seconds histogram\n"
            "pxed_boot_stage_seconds_bucket{stage=\"dhcp_ack\",le=\"0.5\"} 0\n"
            "pxed_boot_stage_seconds_bucket{stage=\"dhcp_ack\",le=\"1\"} 0\n"
            "pxed_boot_stage_seconds_bucket{stage=\"dhcp_ack\",le=\"5\"} 0\n"
            "pxed_boot_stage_seconds_bucket{stage=\"dhcp_ack\",le=\"+Inf\"} 0\n"
            "pxed_boot_stage_seconds_sum{stage=\"dhcp_ack\"} 0\n"
            "pxed_boot_stage_seconds_count{stage=\"dhcp_ack\"} 0\n"
            "pxed_boot_stage_seconds_bucket{stage=\"loader\",le=\"0.5\"} 2\n"
            "pxed_boot_stage_seconds_bucket{stage=\"loader\",le=\"1\"} 2\n"
            "pxed_boot_stage_seconds_bucket{stage=\"loader\",le=\"5\"} 3\n"
            "pxed_boot_stage_seconds_bucket{stage=\"loader\",le=\"+Inf\"} 4\n"
            "pxed_boot_stage_seconds_sum{stage=\"loader\"} 11.5\n"
            "pxed_boot_stage_seconds_count{stage=\"loader\"} 4\n");
}

TEST(MetricsRender, HistogramWithoutLabels) {
  MetricsRegistry r;
  auto& h = r.histogram("h_seconds", "H.", {5, 1});  // sorted on construction
  h.observe(1);
  EXPECT_EQ(render_prometheus(r),
            "# HELP h_seconds H.\n"
            "# TYPE h_seconds histogram\n"
            "h_seconds_bucket{le=\"1\"} 1\n"
            "h_seconds_bucket{le=\"5\"} 1\n"
            "h_seconds_bucket{le=\"+Inf\"} 1\n"
            "h_seconds_sum 1\n"
            "h_seconds_count 1\n");
}

TEST(MetricsRender, SampleValues) {
  EXPECT_EQ(format_sample_value(0), "0");
  EXPECT_EQ(format_sample_value(42), "42");
  EXPECT_EQ(format_sample_value(-3), "-3");
  EXPECT_EQ(format_sample_value(0.25), "0.25");
  EXPECT_EQ(format_sample_value(1048576), "1048576");
  EXPECT_EQ(format_sample_value(1e21), "1e+21");
  EXPECT_EQ(format_sample_value(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(format_sample_value(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(format_sample_value(std::nan("")), "NaN");
}

TEST(MetricsRender, Labels) {
  EXPECT_EQ(format_labels({}, {}), "");
  EXPECT_EQ(format_labels({}, {}, "le", "+Inf"), "{le=\"+Inf\"}");
  EXPECT_EQ(format_labels({"a", "b"}, {"1", "2"}), "{a=\"1\",b=\"2\"}");
  EXPECT_EQ(format_labels({"a"}, {"x"}, "le", "0.5"), "{a=\"x\",le=\"0.5\"}");
}

TEST(MetricsRegistry, SameNameGivesSameFamilyAndOtherTypeThrows) {
  MetricsRegistry r;
  Counter& a = r.counter("c_total", "C.");
  Counter& b = r.counter("c_total", "C.");
  EXPECT_EQ(&a, &b);
  EXPECT_THROW(r.gauge("c_total", "C."), std::logic_error);
}

TEST(MetricsRegistry, ConcurrentIncrementsAreAllCounted) {
  MetricsRegistry r;
  auto& f = r.counter_family("c_total", "C.", {"t"});
  auto& h = r.histogram("h", "H.", {1});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 10000; ++i) {
        f.with({std::to_string(i % 3)}).inc();
        if (t == 0) h.observe(0.5);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::uint64_t total = 0;
  f.each([&](const std::vector<std::string>&, const Counter& c) { total += c.value(); });
  EXPECT_EQ(total, 40000u);
  EXPECT_EQ(h.cumulative_counts().back(), 10000u);
  EXPECT_DOUBLE_EQ(h.sum(), 5000);
}

}  // namespace
}  // namespace pxed
