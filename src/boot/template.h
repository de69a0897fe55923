// Boot-file templates: the text of a pxelinux, iPXE or GRUB config with {{name}} holes, filled
// per machine. Deliberately small (mustache-like), because boot configs need little:
//   {{name}}                 a value; a list is written joined by single spaces
//   {{#name}}...{{/name}}    the inside once per element of a list, with {{.}} the element;
//                            once for a non-empty value, not at all for an empty one
//   {{^name}}...{{/name}}    the inside only when the value or list is empty
// A template is parsed once (Template::parse), so a mistake (an unknown name, an unclosed
// section) is reported at start-up with its line, never while a machine boots. Pure.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"

namespace pxed::boot {

using TemplateValue = std::variant<std::string, std::vector<std::string>>;
using TemplateValues = std::map<std::string, TemplateValue, std::less<>>;

class Template {
 public:
  // `known`: the names a template may use. Errors read "line 3: unknown name {{kernal}}".
  static Result<Template> parse(std::string_view text, const std::set<std::string, std::less<>>& known);

  // Names missing from `values` render as empty.
  std::string render(const TemplateValues& values) const;

 private:
  struct Node {
    enum class Kind { text, value, section, inverted } kind = Kind::text;
    std::string text;  // the text, or the name
    std::vector<Node> children;
  };
  static void render_nodes(const std::vector<Node>& nodes, const TemplateValues& values,
                           const std::string* element, std::string& out);

  std::vector<Node> nodes_;
};

}  // namespace pxed::boot
