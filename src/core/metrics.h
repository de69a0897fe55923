// A small metrics registry and its Prometheus text exposition (format 0.0.4), written by hand.
//
// Metrics are relaxed atomics: a service thread bumps a counter without a lock. A family has a
// fixed list of label names; each set of label values gets its own metric, made on first use
// under the family's lock and kept for the life of the registry, so a reference to it stays
// valid and may be kept to count lock-free from then on:
//
//   MetricsRegistry r;
//   auto& msgs = r.counter_family("pxed_dhcp_messages_total", "DHCP messages.", {"type", "reply"});
//   msgs.with({"discover", "offer"}).inc();
//   std::string text = render_prometheus(r);
//     # HELP pxed_dhcp_messages_total DHCP messages.
//     # TYPE pxed_dhcp_messages_total counter
//     pxed_dhcp_messages_total{type="discover",reply="offer"} 1
//
// Families render in the order they were registered, their metrics sorted by label values.
// Names and label names are the caller's constants and are not checked; label values and help
// texts are escaped.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

namespace pxed {

class Counter {
 public:
  void inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double v) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Fixed buckets, given by their upper bounds (ascending; +Inf is implied). Each observation
// lands in one bucket; rendering makes them cumulative, so _count always equals the +Inf bucket.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upper_bounds);

  void observe(double v);

  const std::vector<double>& upper_bounds() const { return bounds_; }
  // Cumulative counts, one per bound and a last one for +Inf (= the count).
  std::vector<std::uint64_t> cumulative_counts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // bounds_.size() + 1
  std::atomic<double> sum_{0};
};

enum class MetricType : std::uint8_t { counter, gauge, histogram };
std::string_view to_string(MetricType t);

// The part of a family the renderer needs, whatever its metric type.
class FamilyBase {
 public:
  FamilyBase(std::string name, std::string help, std::vector<std::string> label_names,
             MetricType type);
  virtual ~FamilyBase() = default;
  FamilyBase(const FamilyBase&) = delete;
  FamilyBase& operator=(const FamilyBase&) = delete;

  const std::string& name() const { return name_; }
  const std::string& help() const { return help_; }
  const std::vector<std::string>& label_names() const { return label_names_; }
  MetricType type() const { return type_; }

  // Appends the family's HELP, TYPE and sample lines.
  virtual void render(std::string& out) const = 0;

 private:
  std::string name_;
  std::string help_;
  std::vector<std::string> label_names_;
  MetricType type_;
};

template <class T>
class Family : public FamilyBase {
 public:
  using Make = std::function<std::unique_ptr<T>()>;

  Family(std::string name, std::string help, std::vector<std::string> label_names,
         MetricType type, Make make)
      : FamilyBase(std::move(name), std::move(help), std::move(label_names), type),
        make_(std::move(make)) {}

  // The metric for these label values (one per label name, in order; missing ones are empty,
  // extra ones ignored), made on first use. The reference stays valid as long as the family.
  T& with(const std::vector<std::string>& values) {
    std::vector<std::string> key = values;
    key.resize(label_names().size());
    {
      std::shared_lock lock(mutex_);
      if (auto it = metrics_.find(key); it != metrics_.end()) return *it->second;
    }
    std::unique_lock lock(mutex_);
    auto& slot = metrics_[std::move(key)];
    if (!slot) slot = make_();
    return *slot;
  }

  // Calls f(label values, metric) for each metric, sorted by label values.
  template <class F>
  void each(F&& f) const {
    std::shared_lock lock(mutex_);
    for (const auto& [values, metric] : metrics_) f(values, *metric);
  }

  void render(std::string& out) const override;

 private:
  Make make_;
  mutable std::shared_mutex mutex_;
  std::map<std::vector<std::string>, std::unique_ptr<T>> metrics_;
};

template <>
void Family<Counter>::render(std::string& out) const;
template <>
void Family<Gauge>::render(std::string& out) const;
template <>
void Family<Histogram>::render(std::string& out) const;

using CounterFamily = Family<Counter>;
using GaugeFamily = Family<Gauge>;
using HistogramFamily = Family<Histogram>;

class MetricsRegistry {
 public:
  MetricsRegistry() = default;
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // Families are meant to be registered once, at start; registering a name twice returns the
  // family already there if its type matches and throws std::logic_error otherwise.
  CounterFamily& counter_family(std::string name, std::string help,
                                std::vector<std::string> label_names);
  GaugeFamily& gauge_family(std::string name, std::string help,
                            std::vector<std::string> label_names);
  HistogramFamily& histogram_family(std::string name, std::string help,
                                    std::vector<std::string> label_names,
                                    std::vector<double> upper_bounds);

  // A family without labels and its one metric.
  Counter& counter(std::string name, std::string help);
  Gauge& gauge(std::string name, std::string help);
  Histogram& histogram(std::string name, std::string help, std::vector<double> upper_bounds);

  // Calls f(family) for each family in registration order.
  void each(const std::function<void(const FamilyBase&)>& f) const;

 private:
  FamilyBase* find(const std::string& name, MetricType type) const;  // under mutex_

  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<FamilyBase>> families_;
};

// The whole registry in the text exposition format 0.0.4 (Content-Type
// "text/plain; version=0.0.4"), ending with a newline.
std::string render_prometheus(const MetricsRegistry& registry);

// Pieces of the format, for the renderer and its tests.
std::string escape_label_value(std::string_view value);  // \ -> \\, " -> \", newline -> \n
std::string escape_help(std::string_view help);          // \ -> \\, newline -> \n
std::string format_sample_value(double v);               // 1, 0.25, 1e+21, +Inf, -Inf, NaN
// {a="x",b="y"}, with `extra` (e.g. le) last; "" when there are no labels at all.
std::string format_labels(const std::vector<std::string>& names,
                          const std::vector<std::string>& values,
                          std::string_view extra_name = {}, std::string_view extra_value = {});

}  // namespace pxed
