// The web dashboard's static files (web/ in the source tree), served by pxed itself at /ui/.
// They are read once at start into memory: a handful of small files, so no request touches the
// disk and no path can lead anywhere but to one of them.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>

#include "http/router.h"

namespace pxed::api {

class UiFiles {
 public:
  // Reads every regular file directly in `dir` whose name is made of letters, digits, '.', '-'
  // and '_' (at most 64 files of at most 1 MiB each). An empty result if `dir` is not there.
  static UiFiles load(const std::string& dir);

  // Where the dashboard's files are when no directory is configured: beside the executable as
  // built (build/pxed -> web/) or as installed (bin/pxed -> share/pxed/web/), then
  // /usr/share/pxed/web. Empty if none has an index.html.
  static std::string find_default_dir();

  // GET or HEAD /ui -> redirect to /ui/; /ui/ -> index.html; /ui/NAME -> that file; another
  // name under /ui/ -> 404. nullopt for targets outside /ui. With no files loaded, /ui/ is 404
  // saying where the files were looked for.
  std::optional<http::ResponsePlan> handle(const http::Request& request) const;

  std::size_t size() const { return files_.size(); }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
  std::map<std::string, std::string> files_;  // name -> bytes
};

}  // namespace pxed::api
