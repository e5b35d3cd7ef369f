// libFuzzer target: the STD importer (analyzer/input/std_importer.h) on arbitrary text, line by
// line as ImportStdFile feeds it; an imported trace is then analyzed and reported like
// `lockgraph analyze --input-format=std` does (fuzz/analyze_model.h).
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "analyzer/input/std_importer.h"
#include "analyzer/model/model.h"
#include "fuzz/analyze_model.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  absl::string_view text(reinterpret_cast<const char*>(data), size);
  // A small flush size: several event blocks per thread even from a short input.
  lockgraph::analyzer::StdImporter importer("fuzz.std", {.flush_bytes = 64});
  while (!text.empty()) {
    const size_t end = text.find('\n');
    const absl::string_view line = text.substr(0, end);
    text.remove_prefix(end == absl::string_view::npos ? text.size() : end + 1);
    if (!importer.AddLine(line).ok()) return 0;
  }
  absl::StatusOr<std::string> trace = importer.Finish();
  if (!trace.ok()) return 0;
  lockgraph::analyzer::Model model;
  if (!model.AddTraceBytes("fuzz.std", *std::move(trace)).ok()) return 0;
  lockgraph::fuzz::AnalyzeModel(model);
  return 0;
}
