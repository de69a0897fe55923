// ByteReader / ByteWriter: the only way codecs touch raw bytes. Every read is checked against
// what remains; a short read marks the reader failed and yields zeros, so a codec reads a whole
// structure and then checks ok() once before trusting any of it.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace pxed {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

class ByteReader {
 public:
  explicit ByteReader(ByteView data) : data_(data) {}

  bool ok() const { return ok_; }
  std::size_t remaining() const { return data_.size() - pos_; }
  std::size_t position() const { return pos_; }
  bool at_end() const { return pos_ == data_.size(); }

  std::uint8_t u8();
  std::uint16_t u16();           // network byte order
  std::uint32_t u32();           // network byte order
  ByteView take(std::size_t n);  // empty and failed if fewer than n remain
  ByteView rest();
  void skip(std::size_t n) { take(n); }

 private:
  bool need(std::size_t n);

  ByteView data_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

class ByteWriter {
 public:
  ByteWriter() = default;
  explicit ByteWriter(std::size_t reserve) { out_.reserve(reserve); }

  void u8(std::uint8_t v) { out_.push_back(v); }
  void u16(std::uint16_t v);
  void u32(std::uint32_t v);
  void bytes(ByteView v) { out_.insert(out_.end(), v.begin(), v.end()); }
  void str(std::string_view s) { out_.insert(out_.end(), s.begin(), s.end()); }
  void zeros(std::size_t n) { out_.insert(out_.end(), n, 0); }
  std::size_t size() const { return out_.size(); }
  Bytes& data() { return out_; }
  Bytes take() { return std::move(out_); }

 private:
  Bytes out_;
};

inline ByteView as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
inline std::string_view as_chars(ByteView b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
std::string to_hex(ByteView b, char sep = 0);

}  // namespace pxed
