#include "api/ui_files.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "http/media_type.h"

namespace pxed::api {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxFiles = 64;
constexpr std::uintmax_t kMaxFileSize = 1024 * 1024;

bool plain_name(std::string_view name) {
  return !name.empty() && name.size() <= 100 && name[0] != '.' &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
         });
}

http::ResponsePlan plan(unsigned status, std::string type, std::string body,
                        const http::Request& request) {
  http::ResponsePlan p;
  p.status = status;
  p.headers.push_back({"Content-Type", std::move(type)});
  p.headers.push_back({"Content-Length", std::to_string(body.size())});
  p.headers.push_back({"Cache-Control", "no-cache"});
  p.body = std::move(body);
  p.keep_alive = http::wants_keep_alive(request.version, request.connection);
  return p;
}

}  // namespace

UiFiles UiFiles::load(const std::string& dir) {
  UiFiles ui;
  ui.dir_ = dir;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    if (ui.files_.size() >= kMaxFiles) break;
    const std::string name = entry.path().filename().string();
    if (!plain_name(name) || !entry.is_regular_file(ec) || entry.file_size(ec) > kMaxFileSize) {
      continue;
    }
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream bytes;
    bytes << in.rdbuf();
    if (in) ui.files_[name] = bytes.str();
  }
  return ui;
}

std::string UiFiles::find_default_dir() {
  std::vector<fs::path> candidates;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    candidates.push_back(exe.parent_path().parent_path() / "web");
    candidates.push_back(exe.parent_path().parent_path() / "share" / "pxed" / "web");
  }
  candidates.emplace_back("/usr/share/pxed/web");
  for (const fs::path& dir : candidates) {
    if (fs::is_regular_file(dir / "index.html", ec)) return dir.string();
  }
  return {};
}

std::optional<http::ResponsePlan> UiFiles::handle(const http::Request& request) const {
  std::string_view target = request.target;
  target = target.substr(0, target.find('?'));
  if (target != "/ui" && !target.starts_with("/ui/")) return std::nullopt;
  if (request.method != "GET" && request.method != "HEAD") {
    auto p = plan(405, "text/plain; charset=utf-8", "only GET and HEAD\n", request);
    p.headers.push_back({"Allow", "GET, HEAD"});
    return p;
  }
  if (target == "/ui") {
    auto p = plan(301, "text/plain; charset=utf-8", "see /ui/\n", request);
    p.headers.push_back({"Location", "/ui/"});
    return p;
  }
  std::string name(target.substr(4));
  if (name.empty()) name = "index.html";
  auto it = files_.find(name);
  if (it == files_.end()) {
    std::string why = files_.empty() ? "the dashboard's files were not found (looked in " +
                                           (dir_.empty() ? std::string("no directory") : dir_) +
                                           ")\n"
                                     : "no such file in the dashboard\n";
    return plan(404, "text/plain; charset=utf-8", why, request);
  }
  std::string type(http::media_type_for(name));
  if (type.starts_with("text/") && type.find("charset") == std::string::npos) {
    type += "; charset=utf-8";
  }
  return plan(200, type, it->second, request);
}

}  // namespace pxed::api
