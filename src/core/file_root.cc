#include "core/file_root.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

namespace pxed {

Result<std::string> normalize_request_path(std::string_view requested) {
  if (requested.find('\0') != std::string_view::npos) {
    return fail(Errc::access_denied, "path contains a NUL byte");
  }
  std::vector<std::string_view> parts;
  std::string unified(requested);
  for (char& c : unified) {
    if (c == '\\') c = '/';
  }
  std::string_view rest(unified);
  while (!rest.empty()) {
    std::size_t slash = rest.find('/');
    std::string_view part = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (part.empty() || part == ".") continue;
    if (part == "..") return fail(Errc::access_denied, "path contains '..'");
    parts.push_back(part);
  }
  if (parts.empty()) return fail(Errc::not_found, "empty path");
  std::string out;
  for (std::string_view p : parts) {
    if (!out.empty()) out.push_back('/');
    out.append(p);
  }
  return out;
}

FileRoot::FileRoot(const std::string& dir) : dir_(dir) {
  root_.reset(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root_.valid()) {
    throw std::runtime_error("cannot open root directory " + dir + ": " + std::strerror(errno));
  }
}

Result<OpenFile> FileRoot::open(std::string_view requested) const {
  auto rel = normalize_request_path(requested);
  if (!rel) return tl::unexpected(rel.error());
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd = ::syscall(SYS_openat2, root_.get(), rel->c_str(), &how, sizeof how);
  if (fd < 0) {
    int err = errno;
    if (err == ENOENT || err == ENOTDIR) return fail(Errc::not_found, "no such file");
    if (err == ENAMETOOLONG) return fail(Errc::not_found, "name too long");
    if (err == EXDEV || err == ELOOP) return fail(Errc::access_denied, "path leaves the root");
    if (err == EACCES || err == EPERM) return fail(Errc::access_denied, "permission denied");
    return fail(Errc::io, std::strerror(err));
  }
  OpenFile f;
  f.fd.reset(static_cast<int>(fd));
  struct stat st {};
  if (::fstat(f.fd.get(), &st) != 0) return fail(Errc::io, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return fail(Errc::access_denied, "not a regular file");
  // The descriptor was opened non-blocking only so a FIFO could not hang us; files read normally.
  ::fcntl(f.fd.get(), F_SETFL, 0);
  f.size = static_cast<std::uint64_t>(st.st_size);
  f.mtime = st.st_mtim.tv_sec;
  f.device = static_cast<std::uint64_t>(st.st_dev);
  f.inode = static_cast<std::uint64_t>(st.st_ino);
  return f;
}

}  // namespace pxed
