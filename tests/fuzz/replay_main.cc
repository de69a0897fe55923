// Replays a fuzz target's corpus without libFuzzer, so any compiler (g++ in CI, with or without
// ASan/UBSan) runs every committed input through the same LLVMFuzzerTestOneInput.
//
//   <target>_replay PATH...   each PATH a file or a directory (read recursively, sorted)
//
// Arguments starting with '-' are ignored, so libFuzzer-style flags do no harm. The name of each
// input is printed before it runs: after a crash, the last name printed is the culprit. Exit 0
// when every input ran, 1 on usage errors or an empty corpus; a failing input aborts.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

namespace fs = std::filesystem;

bool collect(const fs::path& path, std::vector<fs::path>& out) {
  std::error_code ec;
  if (fs::is_regular_file(path, ec)) {
    out.push_back(path);
    return true;
  }
  if (!fs::is_directory(path, ec)) {
    std::fprintf(stderr, "fuzz replay: %s is neither a file nor a directory\n", path.c_str());
    return false;
  }
  std::vector<fs::path> found;
  for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_regular_file(ec)) found.push_back(it->path());
  }
  if (ec) {
    std::fprintf(stderr, "fuzz replay: cannot read %s: %s\n", path.c_str(), ec.message().c_str());
    return false;
  }
  std::sort(found.begin(), found.end());
  out.insert(out.end(), found.begin(), found.end());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<fs::path> inputs;
  bool any_path = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg.starts_with("-")) continue;
    any_path = true;
    if (!collect(arg, inputs)) return 1;
  }
  if (!any_path) {
    std::fprintf(stderr, "usage: %s FILE_OR_DIR...\n", argv[0]);
    return 1;
  }
  if (inputs.empty()) {
    std::fprintf(stderr, "fuzz replay: no inputs found\n");
    return 1;
  }
  std::size_t total_bytes = 0;
  for (const fs::path& p : inputs) {
    std::ifstream in(p, std::ios::binary);
    std::vector<char> raw((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      std::fprintf(stderr, "fuzz replay: cannot read %s\n", p.c_str());
      return 1;
    }
    std::printf("%s (%zu bytes)\n", p.c_str(), raw.size());
    std::fflush(stdout);
    // A copy of exactly the input's size, so ASan catches a read one byte past the end.
    std::vector<std::uint8_t> data(raw.begin(), raw.end());
    static const std::uint8_t kNothing = 0;  // libFuzzer never passes a null pointer either
    LLVMFuzzerTestOneInput(data.empty() ? &kNothing : data.data(), data.size());
    total_bytes += data.size();
  }
  std::printf("fuzz replay: %zu inputs (%zu bytes) ran cleanly\n", inputs.size(), total_bytes);
  return 0;
}
