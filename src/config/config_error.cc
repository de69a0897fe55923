#include "config/config_error.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

namespace pxed::config {

std::string ConfigError::to_string() const {
  if (pos.file.empty()) return message;
  if (pos.line <= 0) return fmt::format("{}: {}", pos.file, message);
  return fmt::format("{}:{}:{}: {}", pos.file, pos.line, pos.column, message);
}

void sort_errors(ConfigErrors& errors) {
  auto key = [](const ConfigError& e) {
    int line = e.pos.line > 0 ? e.pos.line : std::numeric_limits<int>::max();
    return std::pair{line, e.pos.column};
  };
  std::stable_sort(errors.begin(), errors.end(),
                   [&](const ConfigError& a, const ConfigError& b) { return key(a) < key(b); });
}

std::string_view parent_path(std::string_view path) {
  if (path.empty()) return path;
  if (path.back() == ']') {
    auto open = path.rfind('[');
    return open == std::string_view::npos ? std::string_view{} : path.substr(0, open);
  }
  auto dot = path.find_last_of(".]");
  if (dot == std::string_view::npos) return {};
  return path[dot] == ']' ? path.substr(0, dot + 1) : path.substr(0, dot);
}

void SourceMap::set(std::string path, SourcePos pos) {
  positions_[std::move(path)] = std::move(pos);
}

namespace {

// Whether key is path itself or below it.
bool within(std::string_view key, std::string_view path) {
  if (!key.starts_with(path)) return false;
  return key.size() == path.size() || path.empty() || key[path.size()] == '.' ||
         key[path.size()] == '[';
}

}  // namespace

void SourceMap::replace(const std::string& path, SourcePos pos) {
  std::erase_if(positions_, [&](const auto& entry) { return within(entry.first, path); });
  std::erase_if(invalid_, [&](const std::string& key) { return within(key, path); });
  set(path, std::move(pos));
}

SourcePos SourceMap::find(std::string_view path) const {
  for (;;) {
    if (auto it = positions_.find(path); it != positions_.end()) return it->second;
    if (path.empty()) return {};
    path = parent_path(path);
  }
}

void SourceMap::mark_invalid(std::string path) {
  invalid_.insert(std::move(path));
}

bool SourceMap::is_invalid(std::string_view path) const {
  for (;;) {
    if (invalid_.contains(path)) return true;
    if (path.empty()) return false;
    path = parent_path(path);
  }
}

}  // namespace pxed::config
