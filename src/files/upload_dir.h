// Where TFTP uploads (WRQ) land: a directory of its own, apart from the served root. A file is
// written under a temporary name in its target directory and gets its real name only when the
// upload is complete, with renameat2(RENAME_NOREPLACE): an existing file is never overwritten,
// and a half-written one is never visible under the real name. Names resolve beneath the
// directory (openat2 RESOLVE_BENEATH), like reads below the root.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/result.h"
#include "core/unique_fd.h"

namespace pxed::files {

// One upload in progress. Deleted (the temporary file) unless commit() succeeded.
class PendingUpload {
 public:
  PendingUpload(UniqueFd dir, UniqueFd file, std::string temp_name, std::string final_name);
  PendingUpload(PendingUpload&&) noexcept = default;
  PendingUpload& operator=(PendingUpload&&) = delete;
  ~PendingUpload();

  // io (with the reason, e.g. "No space left on device") if the data could not be stored.
  Result<void> write(ByteView data, std::uint64_t offset);
  // Flushes the file to disk and gives it its name; conflict if the name was taken meanwhile.
  Result<void> commit();
  const std::string& name() const { return final_name_; }

 private:
  UniqueFd dir_, file_;
  std::string temp_name_, final_name_;
  bool committed_ = false;
};

class UploadDir {
 public:
  // Throws std::runtime_error if `dir` is not a directory we can open.
  explicit UploadDir(const std::string& dir);

  // Starts `requested` (a client's name, normalised like a read): access_denied if it leaves the
  // directory, not_found if its parent directory does not exist, conflict if it exists already.
  Result<PendingUpload> create(std::string_view requested) const;
  const std::string& path() const { return dir_; }

 private:
  std::string dir_;
  UniqueFd fd_;
};

}  // namespace pxed::files
