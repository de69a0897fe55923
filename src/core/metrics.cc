#include "core/metrics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace pxed {

Histogram::Histogram(std::vector<double> upper_bounds) : bounds_(std::move(upper_bounds)) {
  std::sort(bounds_.begin(), bounds_.end());
  bounds_.erase(std::unique(bounds_.begin(), bounds_.end()), bounds_.end());
  if (!bounds_.empty() && std::isinf(bounds_.back()) && bounds_.back() > 0) bounds_.pop_back();
  counts_ = std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1);
  for (std::size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double v) {
  // The first bucket whose upper bound is >= v (bounds are inclusive); past the last: +Inf.
  const auto it = std::lower_bound(bounds_.begin(), bounds_.end(), v);
  counts_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(v, std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::cumulative_counts() const {
  std::vector<std::uint64_t> out(bounds_.size() + 1);
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    total += counts_[i].load(std::memory_order_relaxed);
    out[i] = total;
  }
  return out;
}

std::string_view to_string(MetricType t) {
  switch (t) {
    case MetricType::counter:
      return "counter";
    case MetricType::gauge:
      return "gauge";
    case MetricType::histogram:
      return "histogram";
  }
  return "untyped";
}

FamilyBase::FamilyBase(std::string name, std::string help, std::vector<std::string> label_names,
                       MetricType type)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_names_(std::move(label_names)),
      type_(type) {}

namespace {

void render_header(const FamilyBase& f, std::string& out) {
  out += "# HELP ";
  out += f.name();
  out += ' ';
  out += escape_help(f.help());
  out += "\n# TYPE ";
  out += f.name();
  out += ' ';
  out += to_string(f.type());
  out += '\n';
}

void render_line(std::string& out, std::string_view name, std::string_view suffix,
                 const std::string& labels, const std::string& value) {
  out += name;
  out += suffix;
  out += labels;
  out += ' ';
  out += value;
  out += '\n';
}

}  // namespace

template <>
void Family<Counter>::render(std::string& out) const {
  render_header(*this, out);
  each([&](const std::vector<std::string>& values, const Counter& c) {
    render_line(out, name(), "", format_labels(label_names(), values), std::to_string(c.value()));
  });
}

template <>
void Family<Gauge>::render(std::string& out) const {
  render_header(*this, out);
  each([&](const std::vector<std::string>& values, const Gauge& g) {
    render_line(out, name(), "", format_labels(label_names(), values),
                format_sample_value(g.value()));
  });
}

template <>
void Family<Histogram>::render(std::string& out) const {
  render_header(*this, out);
  each([&](const std::vector<std::string>& values, const Histogram& h) {
    const std::vector<std::uint64_t> counts = h.cumulative_counts();
    const std::vector<double>& bounds = h.upper_bounds();
    for (std::size_t i = 0; i < bounds.size(); ++i) {
      render_line(out, name(), "_bucket",
                  format_labels(label_names(), values, "le", format_sample_value(bounds[i])),
                  std::to_string(counts[i]));
    }
    render_line(out, name(), "_bucket", format_labels(label_names(), values, "le", "+Inf"),
                std::to_string(counts.back()));
    const std::string labels = format_labels(label_names(), values);
    render_line(out, name(), "_sum", labels, format_sample_value(h.sum()));
    render_line(out, name(), "_count", labels, std::to_string(counts.back()));
  });
}

FamilyBase* MetricsRegistry::find(const std::string& name, MetricType type) const {
  for (const auto& f : families_) {
    if (f->name() != name) continue;
    if (f->type() != type) {
      throw std::logic_error("metric " + name + " is already registered as a " +
                             std::string(to_string(f->type())));
    }
    return f.get();
  }
  return nullptr;
}

CounterFamily& MetricsRegistry::counter_family(std::string name, std::string help,
                                               std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  if (auto* f = find(name, MetricType::counter)) return static_cast<CounterFamily&>(*f);
  auto f = std::make_unique<CounterFamily>(std::move(name), std::move(help),
                                           std::move(label_names), MetricType::counter,
                                           [] { return std::make_unique<Counter>(); });
  families_.push_back(std::move(f));
  return static_cast<CounterFamily&>(*families_.back());
}

GaugeFamily& MetricsRegistry::gauge_family(std::string name, std::string help,
                                           std::vector<std::string> label_names) {
  std::lock_guard lock(mutex_);
  if (auto* f = find(name, MetricType::gauge)) return static_cast<GaugeFamily&>(*f);
  auto f = std::make_unique<GaugeFamily>(std::move(name), std::move(help), std::move(label_names),
                                         MetricType::gauge,
                                         [] { return std::make_unique<Gauge>(); });
  families_.push_back(std::move(f));
  return static_cast<GaugeFamily&>(*families_.back());
}

HistogramFamily& MetricsRegistry::histogram_family(std::string name, std::string help,
                                                   std::vector<std::string> label_names,
                                                   std::vector<double> upper_bounds) {
  std::lock_guard lock(mutex_);
  if (auto* f = find(name, MetricType::histogram)) return static_cast<HistogramFamily&>(*f);
  auto f = std::make_unique<HistogramFamily>(
      std::move(name), std::move(help), std::move(label_names), MetricType::histogram,
      [bounds = std::move(upper_bounds)] { return std::make_unique<Histogram>(bounds); });
  families_.push_back(std::move(f));
  return static_cast<HistogramFamily&>(*families_.back());
}

Counter& MetricsRegistry::counter(std::string name, std::string help) {
  return counter_family(std::move(name), std::move(help), {}).with({});
}

Gauge& MetricsRegistry::gauge(std::string name, std::string help) {
  return gauge_family(std::move(name), std::move(help), {}).with({});
}

Histogram& MetricsRegistry::histogram(std::string name, std::string help,
                                      std::vector<double> upper_bounds) {
  return histogram_family(std::move(name), std::move(help), {}, std::move(upper_bounds)).with({});
}

void MetricsRegistry::each(const std::function<void(const FamilyBase&)>& f) const {
  std::lock_guard lock(mutex_);
  for (const auto& family : families_) f(*family);
}

std::string render_prometheus(const MetricsRegistry& registry) {
  std::string out;
  registry.each([&out](const FamilyBase& f) { f.render(out); });
  return out;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string escape_help(std::string_view help) {
  std::string out;
  out.reserve(help.size());
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string format_sample_value(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Whole numbers of a sensible size print without a fraction or exponent: 0, 42, 1048576.
  if (v == std::trunc(v) && std::fabs(v) < 1e15) return fmt::format("{:.0f}", v);
  return fmt::format("{}", v);  // the shortest text that reads back as the same double
}

std::string format_labels(const std::vector<std::string>& names,
                          const std::vector<std::string>& values, std::string_view extra_name,
                          std::string_view extra_value) {
  if (names.empty() && extra_name.empty()) return "";
  std::string out = "{";
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += ',';
    out += names[i];
    out += "=\"";
    out += escape_label_value(i < values.size() ? std::string_view(values[i]) : "");
    out += '"';
  }
  if (!extra_name.empty()) {
    if (!names.empty()) out += ',';
    out += extra_name;
    out += "=\"";
    out += escape_label_value(extra_value);
    out += '"';
  }
  out += '}';
  return out;
}

}  // namespace pxed
