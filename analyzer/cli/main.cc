// The `lockgraph` command: a thin shell over the analyzer library. It parses the command
// line, calls the library, prints, and maps errors to exit codes: 0 clean, 1 findings,
// 2 bad input or usage.
#include <cstdio>
#include <iostream>
#include <string>

#include "CLI/CLI.hpp"
#include "analyzer/stack_symbolizer.h"
#include "analyzer/trace_dump.h"
#include "analyzer/trace_reader.h"
#include "common/llvm_symbolizer.h"

namespace {

constexpr int kExitBadInput = 2;

int Dump(const std::string& path, bool symbolize, const std::string& symbolizer_path) {
  absl::StatusOr<lockgraph::analyzer::Trace> trace = lockgraph::analyzer::ReadTraceFile(path);
  if (!trace.ok()) {
    std::cerr << "lockgraph: " << trace.status().message() << "\n";
    return kExitBadInput;
  }
  std::optional<lockgraph::analyzer::StackSymbolizer> symbolizer;
  if (symbolize) {
    symbolizer.emplace(*trace, lockgraph::LlvmSymbolizer::Find(symbolizer_path));
  }
  std::cout << lockgraph::analyzer::DumpTrace(*trace, symbolizer ? &*symbolizer : nullptr);
  for (const std::string& warning : trace->warnings) {
    std::cerr << "lockgraph: warning: " << warning << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"lockgraph: finds lock-order cycles (deadlocks) in traces of C++ programs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "lockgraph 0.1");

  std::string dump_path;
  bool dump_symbolize = false;
  std::string symbolizer_path;
  CLI::App* dump = app.add_subcommand("dump", "print every record of a trace file as text");
  dump->add_option("TRACE", dump_path, "trace file")->required();
  dump->add_flag("--symbolize", dump_symbolize,
                 "name the frames of each stack (function file:line) with llvm-symbolizer");
  dump->add_option("--symbolizer", symbolizer_path,
                   "llvm-symbolizer to use (default: from PATH)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : kExitBadInput;
  }
  if (dump->parsed()) return Dump(dump_path, dump_symbolize, symbolizer_path);
  return kExitBadInput;
}
