// The directory served read-only by TFTP and HTTP. Every request path is normalised by a pure
// function, then opened with openat2(RESOLVE_BENEATH), so neither ".." nor a symlink can lead
// outside the root, whatever races happen on the file system.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"
#include "core/unique_fd.h"

namespace pxed {

// Turns what a client asked for into a path relative to the root: '\' becomes '/', leading
// slashes and "." components go, repeated slashes collapse. Refuses an empty path, NUL bytes
// and any ".." component (access_denied). Pure.
Result<std::string> normalize_request_path(std::string_view requested);

struct OpenFile {
  UniqueFd fd;
  std::uint64_t size = 0;
  std::int64_t mtime = 0;  // seconds since the epoch
  std::uint64_t device = 0, inode = 0;  // which file it is, to tell a replaced file apart
};

class FileRoot {
 public:
  // Opens the root directory; throws std::runtime_error if it is not a readable directory.
  explicit FileRoot(const std::string& dir);

  // Opens a regular file below the root for reading. not_found if it does not exist,
  // access_denied if it escapes the root or is not a regular file.
  Result<OpenFile> open(std::string_view requested) const;

  const std::string& path() const { return dir_; }

 private:
  std::string dir_;
  UniqueFd root_;
};

}  // namespace pxed
