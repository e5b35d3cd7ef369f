// `lockgraph dump`: every record of a trace as a line of text, in file order, so that people
// and tests can see exactly what was recorded.
//
//   @1234 dependency #3 tid=2@0 held=[#5 "a"] acquires #6 "b" stack=#4 t=1.2ms
//
// With a symbolizer, the stacks a record names follow it as indented "function file:line"
// lines.
#ifndef LOCKGRAPH_ANALYZER_REPORT_TRACE_DUMP_H_
#define LOCKGRAPH_ANALYZER_REPORT_TRACE_DUMP_H_

#include <string>

#include "analyzer/input/trace_reader.h"
#include "analyzer/symbols/stack_symbolizer.h"

namespace lockgraph::analyzer {

// `symbolizer` may be null (stacks stay module+offset); it must know `trace` as trace 0.
std::string DumpTrace(const Trace& trace, StackSymbolizer* symbolizer);

}  // namespace lockgraph::analyzer

#endif  // LOCKGRAPH_ANALYZER_REPORT_TRACE_DUMP_H_
