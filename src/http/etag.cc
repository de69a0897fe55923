#include "http/etag.h"

#include <optional>

#include <fmt/format.h>

namespace pxed::http {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

struct Tag {
  bool weak = false;
  std::string_view opaque;  // with its quotes
};

// etagc = %x21 / %x23-7E / obs-text: anything visible but '"' (a ',' may occur inside).
bool is_etagc(char c) {
  auto u = static_cast<unsigned char>(c);
  return u == 0x21 || (u >= 0x23 && u != 0x7f);
}

// One entity-tag at the start of `s`, which is advanced past it; nullopt if malformed.
std::optional<Tag> take_tag(std::string_view& s) {
  Tag tag;
  if (s.substr(0, 2) == "W/") {
    tag.weak = true;
    s.remove_prefix(2);
  }
  if (s.empty() || s.front() != '"') return std::nullopt;
  std::size_t i = 1;
  while (i < s.size() && s[i] != '"') {
    if (!is_etagc(s[i])) return std::nullopt;
    ++i;
  }
  if (i == s.size()) return std::nullopt;  // no closing quote
  tag.opaque = s.substr(0, i + 1);
  s.remove_prefix(i + 1);
  return tag;
}

std::optional<Tag> whole_tag(std::string_view s) {
  s = trim(s);
  auto tag = take_tag(s);
  if (!tag || !s.empty()) return std::nullopt;
  return tag;
}

}  // namespace

std::uint64_t fnv1a64(std::span<const std::uint8_t> bytes, std::uint64_t seed) {
  std::uint64_t h = seed;
  for (std::uint8_t b : bytes) {
    h ^= b;
    h *= 0x100000001b3ULL;
  }
  return h;
}

std::uint64_t fnv1a64(std::string_view text, std::uint64_t seed) {
  return fnv1a64(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(text.data()),
                                               text.size()),
                 seed);
}

std::string file_etag(std::uint64_t size, std::int64_t mtime_ns) {
  return fmt::format("\"{:x}-{:x}\"", size, static_cast<std::uint64_t>(mtime_ns));
}

std::string content_etag(std::uint64_t size, std::uint64_t hash) {
  return fmt::format("\"g-{:x}-{:016x}\"", size, hash);
}

bool none_match(std::string_view field, std::string_view etag) {
  field = trim(field);
  if (field == "*") return true;
  auto ours = whole_tag(etag);
  bool matched = false;
  bool any = false;
  while (!field.empty()) {
    field = trim(field);
    if (!field.empty() && field.front() == ',') {  // an empty list element
      field.remove_prefix(1);
      continue;
    }
    auto tag = take_tag(field);
    if (!tag) return false;
    any = true;
    if (ours && tag->opaque == ours->opaque) matched = true;
    field = trim(field);
    if (!field.empty()) {
      if (field.front() != ',') return false;
      field.remove_prefix(1);
    }
  }
  return any && matched;
}

bool looks_like_etag(std::string_view value) {
  value = trim(value);
  return !value.empty() && (value.front() == '"' || value.substr(0, 2) == "W/");
}

bool strong_match(std::string_view tag, std::string_view etag) {
  auto theirs = whole_tag(tag);
  auto ours = whole_tag(etag);
  return theirs && ours && !theirs->weak && !ours->weak && theirs->opaque == ours->opaque;
}

}  // namespace pxed::http
