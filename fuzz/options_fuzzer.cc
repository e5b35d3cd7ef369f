// libFuzzer target: the runtime's LOCKGRAPH_OPTIONS parser (lockgraph/options.h). Only
// runtime/recorder/options_parser.cc is linked, so the runtime itself is never started.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "lockgraph/options.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  lockgraph::Options options;
  std::vector<std::string> errors;
  lockgraph::ParseOptions(text, options, errors);
  // Parsing again on top of the result must work as well (the runtime layers option sources).
  lockgraph::ParseOptions(text, options, errors);
  return 0;
}
