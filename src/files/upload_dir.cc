#include "files/upload_dir.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

#include "core/file_root.h"

namespace pxed::files {

namespace {

Error errno_error(int err, std::string_view what) {
  if (err == ENOENT || err == ENOTDIR) return Error{Errc::not_found, "no such directory"};
  if (err == EXDEV || err == ELOOP) return Error{Errc::access_denied, "path leaves the upload directory"};
  if (err == EACCES || err == EPERM) return Error{Errc::access_denied, "permission denied"};
  if (err == EEXIST) return Error{Errc::conflict, "file already exists"};
  return Error{Errc::io, fmt::format("{}: {}", what, std::strerror(err))};
}

std::atomic<std::uint64_t> upload_counter{0};

}  // namespace

PendingUpload::PendingUpload(UniqueFd dir, UniqueFd file, std::string temp_name,
                             std::string final_name)
    : dir_(std::move(dir)),
      file_(std::move(file)),
      temp_name_(std::move(temp_name)),
      final_name_(std::move(final_name)) {}

PendingUpload::~PendingUpload() {
  if (!committed_ && dir_.valid() && !temp_name_.empty()) {
    ::unlinkat(dir_.get(), temp_name_.c_str(), 0);
  }
}

Result<void> PendingUpload::write(ByteView data, std::uint64_t offset) {
  std::size_t done = 0;
  while (done < data.size()) {
    ssize_t n = ::pwrite(file_.get(), data.data() + done, data.size() - done,
                         static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(Errc::io, std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  return {};
}

Result<void> PendingUpload::commit() {
  if (::fsync(file_.get()) != 0) return fail(Errc::io, std::strerror(errno));
  std::string leaf = final_name_.substr(final_name_.find_last_of('/') + 1);
  if (::renameat2(dir_.get(), temp_name_.c_str(), dir_.get(), leaf.c_str(), RENAME_NOREPLACE) !=
      0) {
    return tl::unexpected(errno_error(errno, "rename"));
  }
  committed_ = true;
  ::fsync(dir_.get());
  return {};
}

UploadDir::UploadDir(const std::string& dir) : dir_(dir) {
  fd_.reset(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!fd_.valid()) {
    throw std::runtime_error("cannot open upload directory " + dir + ": " + std::strerror(errno));
  }
}

Result<PendingUpload> UploadDir::create(std::string_view requested) const {
  auto rel = normalize_request_path(requested);
  if (!rel) return tl::unexpected(rel.error());
  const std::size_t slash = rel->find_last_of('/');
  const std::string parent = slash == std::string::npos ? "." : rel->substr(0, slash);
  const std::string leaf = slash == std::string::npos ? *rel : rel->substr(slash + 1);

  open_how how{};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS;
  long dir = ::syscall(SYS_openat2, fd_.get(), parent.c_str(), &how, sizeof how);
  if (dir < 0) return tl::unexpected(errno_error(errno, "open directory"));
  UniqueFd dir_fd(static_cast<int>(dir));
  // O_PATH descriptors cannot create files; reopen the directory for that.
  UniqueFd writable(::openat(dir_fd.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!writable.valid()) return tl::unexpected(errno_error(errno, "open directory"));

  struct stat st {};
  if (::fstatat(writable.get(), leaf.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    return fail(Errc::conflict, "file already exists");
  }
  std::string temp = fmt::format(".{}.pxed-upload-{}-{}", leaf, ::getpid(), ++upload_counter);
  UniqueFd file(::openat(writable.get(), temp.c_str(),
                         O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!file.valid()) return tl::unexpected(errno_error(errno, "create"));
  return PendingUpload(std::move(writable), std::move(file), std::move(temp), *rel);
}

}  // namespace pxed::files
