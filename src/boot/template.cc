#include "boot/template.h"

#include <algorithm>

#include <fmt/format.h>

namespace pxed::boot {

namespace {

int line_at(std::string_view text, std::size_t pos) {
  return 1 + static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(pos), '\n'));
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

}  // namespace

Result<Template> Template::parse(std::string_view text,
                                 const std::set<std::string, std::less<>>& known) {
  Template t;
  // The open sections, innermost last: where their children go and their name.
  std::vector<std::pair<std::vector<Node>*, std::string>> open;
  std::vector<Node>* into = &t.nodes_;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t start = text.find("{{", pos);
    if (start == std::string_view::npos) {
      into->push_back(Node{Node::Kind::text, std::string(text.substr(pos)), {}});
      break;
    }
    if (start > pos) into->push_back(Node{Node::Kind::text, std::string(text.substr(pos, start - pos)), {}});
    std::size_t end = text.find("}}", start + 2);
    int line = line_at(text, start);
    if (end == std::string_view::npos) {
      return fail(Errc::invalid_argument, fmt::format("line {}: \"{{{{\" is never closed by \"}}}}\"", line));
    }
    std::string_view tag = trim(text.substr(start + 2, end - start - 2));
    pos = end + 2;
    char sigil = tag.empty() || tag == "." ? '\0' : tag.front();
    std::string_view name = (sigil == '#' || sigil == '^' || sigil == '/') ? trim(tag.substr(1)) : tag;
    if (name.empty()) {
      return fail(Errc::invalid_argument, fmt::format("line {}: empty {{{{}}}}", line));
    }
    if (name == ".") {
      if (open.empty()) {
        return fail(Errc::invalid_argument,
                    fmt::format("line {}: {{{{.}}}} stands for a list element and is only allowed "
                                "inside {{{{#list}}}}...{{{{/list}}}}",
                                line));
      }
      into->push_back(Node{Node::Kind::value, ".", {}});
      continue;
    }
    if (!known.contains(name)) {
      std::string names;
      for (const auto& k : known) names += (names.empty() ? "" : ", ") + k;
      return fail(Errc::invalid_argument,
                  fmt::format("line {}: unknown name {{{{{}}}}}; known: {}", line, name, names));
    }
    if (sigil == '/') {
      if (open.empty() || open.back().second != name) {
        return fail(Errc::invalid_argument,
                    open.empty() ? fmt::format("line {}: {{{{/{}}}}} closes no section", line, name)
                                 : fmt::format("line {}: {{{{/{}}}}} where {{{{/{}}}}} was expected",
                                               line, name, open.back().second));
      }
      into = open.back().first;
      open.pop_back();
      continue;
    }
    if (sigil == '#' || sigil == '^') {
      into->push_back(Node{sigil == '#' ? Node::Kind::section : Node::Kind::inverted,
                           std::string(name), {}});
      open.emplace_back(into, std::string(name));
      into = &into->back().children;
      continue;
    }
    into->push_back(Node{Node::Kind::value, std::string(name), {}});
  }
  if (!open.empty()) {
    return fail(Errc::invalid_argument,
                fmt::format("the section {{{{#{}}}}} is never closed with {{{{/{}}}}}",
                            open.back().second, open.back().second));
  }
  return t;
}

void Template::render_nodes(const std::vector<Node>& nodes, const TemplateValues& values,
                            const std::string* element, std::string& out) {
  for (const Node& n : nodes) {
    if (n.kind == Node::Kind::text) {
      out += n.text;
      continue;
    }
    if (n.text == ".") {
      if (element) out += *element;
      continue;
    }
    auto it = values.find(n.text);
    const std::string* scalar = nullptr;
    const std::vector<std::string>* list = nullptr;
    if (it != values.end()) {
      scalar = std::get_if<std::string>(&it->second);
      list = std::get_if<std::vector<std::string>>(&it->second);
    }
    bool empty = (!scalar || scalar->empty()) && (!list || list->empty());
    switch (n.kind) {
      case Node::Kind::value:
        if (scalar) out += *scalar;
        if (list) {
          for (std::size_t i = 0; i < list->size(); ++i) out += (i ? " " : "") + (*list)[i];
        }
        break;
      case Node::Kind::section:
        if (list) {
          for (const std::string& e : *list) render_nodes(n.children, values, &e, out);
        } else if (!empty) {
          render_nodes(n.children, values, scalar, out);
        }
        break;
      case Node::Kind::inverted:
        if (empty) render_nodes(n.children, values, element, out);
        break;
      case Node::Kind::text:
        break;
    }
  }
}

std::string Template::render(const TemplateValues& values) const {
  std::string out;
  render_nodes(nodes_, values, nullptr, out);
  return out;
}

}  // namespace pxed::boot
