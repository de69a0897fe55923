#include "files/name_space.h"

#include <limits.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <mutex>
#include <vector>

namespace pxed::files {

Content Content::of_file(std::shared_ptr<const SharedFile> file) {
  Content c;
  c.size_ = file->file.size;
  c.mtime_ = file->file.mtime;
  c.file_ = std::move(file);
  return c;
}

Content Content::of_bytes(std::shared_ptr<const Bytes> bytes, std::int64_t mtime) {
  Content c;
  c.size_ = bytes->size();
  c.mtime_ = mtime;
  c.bytes_ = std::move(bytes);
  return c;
}

Result<void> Content::read(std::uint8_t* out, std::size_t length, std::uint64_t offset) const {
  const iovec one{out, length};
  return read(std::span<const iovec>(&one, 1), offset);
}

Result<void> Content::read(std::span<const iovec> parts, std::uint64_t offset) const {
  std::size_t length = 0;
  for (const iovec& part : parts) length += part.iov_len;
  if (offset > size_ || length > size_ - offset) {
    return fail(Errc::invalid_argument, "read past the end");
  }
  if (bytes_) {
    for (const iovec& part : parts) {
      std::memcpy(part.iov_base, bytes_->data() + offset, part.iov_len);
      offset += part.iov_len;
    }
    return {};
  }
  // preadv may stop short (a signal, a file that shrank): go on from where it stopped.
  std::vector<iovec> rest(parts.begin(), parts.end());
  std::size_t first = 0;
  while (true) {
    while (first < rest.size() && rest[first].iov_len == 0) ++first;
    if (first == rest.size()) break;
    const int count = static_cast<int>(std::min<std::size_t>(rest.size() - first, IOV_MAX));
    ssize_t n = ::preadv(fd(), rest.data() + first, count, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(Errc::io, std::strerror(errno));
    if (n == 0) return fail(Errc::io, "file shrank during the transfer");
    offset += static_cast<std::uint64_t>(n);
    auto left = static_cast<std::size_t>(n);
    while (first < rest.size() && left >= rest[first].iov_len) left -= rest[first++].iov_len;
    if (left > 0) {
      rest[first].iov_base = static_cast<std::uint8_t*>(rest[first].iov_base) + left;
      rest[first].iov_len -= left;
    }
  }
  return {};
}

FileNameSpace::FileNameSpace(const FileRoot& root, Clock::duration revalidate)
    : root_(root), revalidate_(revalidate) {}

Result<Content> FileNameSpace::open(std::string_view path, const Requester&) {
  auto rel = normalize_request_path(path);
  if (!rel) return tl::unexpected(rel.error());
  std::lock_guard lock(mutex_);
  const Clock::time_point now = Clock::now();
  auto it = cache_.find(*rel);
  if (it != cache_.end()) {
    if (auto shared = it->second.file.lock(); shared && now - it->second.checked < revalidate_) {
      return Content::of_file(std::move(shared));
    }
  }
  auto opened = root_.open(*rel);
  if (!opened) {
    if (it != cache_.end()) cache_.erase(it);
    return tl::unexpected(opened.error());
  }
  if (it != cache_.end()) {
    if (auto shared = it->second.file.lock()) {
      const OpenFile& old = shared->file;
      if (old.device == opened->device && old.inode == opened->inode && old.size == opened->size &&
          old.mtime == opened->mtime) {
        it->second.checked = now;  // unchanged: keep reading through the shared descriptor
        return Content::of_file(std::move(shared));
      }
    }
  }
  auto shared = std::make_shared<const SharedFile>(SharedFile{std::move(*opened)});
  // Forget entries nobody reads any more, now and then, so the map stays small.
  if (cache_.size() > 256)
    std::erase_if(cache_, [](const auto& e) { return e.second.file.expired(); });
  cache_[*rel] = Entry{shared, now};
  return Content::of_file(std::move(shared));
}

std::size_t FileNameSpace::open_files() {
  std::lock_guard lock(mutex_);
  std::erase_if(cache_, [](const auto& e) { return e.second.file.expired(); });
  return cache_.size();
}

void GeneratedFiles::add(std::string_view path, Generator generator) {
  auto rel = normalize_request_path(path);
  generators_[rel ? *rel : std::string(path)] = std::move(generator);
}

void GeneratedFiles::add_resolver(Resolver resolver) {
  resolvers_.push_back(std::move(resolver));
}

Result<Content> GeneratedFiles::open(std::string_view path, const Requester& who) {
  if (auto rel = normalize_request_path(path)) {
    auto generated = [](Bytes bytes) {
      return Content::of_bytes(std::make_shared<const Bytes>(std::move(bytes)),
                               static_cast<std::int64_t>(std::time(nullptr)));
    };
    if (auto it = generators_.find(*rel); it != generators_.end()) {
      if (auto bytes = it->second(who)) return generated(std::move(*bytes));
    }
    for (const Resolver& r : resolvers_) {
      if (auto bytes = r(*rel, who)) return generated(std::move(*bytes));
    }
  }
  return fallback_.open(path, who);
}

}  // namespace pxed::files
