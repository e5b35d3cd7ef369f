#include "runtime/online/online_report.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/string_view.h"

namespace lockgraph::runtime {
namespace {

std::string KindName(format::SyncKind kind) { return std::string(format::SyncKindName(kind)); }

// The frames of a stack, flattened (inlined frames included), innermost first.
std::vector<SourceFrame> Flatten(const std::vector<uintptr_t>& stack, const SymbolTable& symbols) {
  std::vector<SourceFrame> frames;
  for (uintptr_t pc : stack) {
    auto it = symbols.find(pc);
    if (it != symbols.end()) frames.insert(frames.end(), it->second.begin(), it->second.end());
  }
  return frames;
}

// Where a lock was taken, from its one-frame stack: "bank.cc:20 in transfer()"; empty if
// that frame is the C++ library's (an out-of-line std::mutex::lock, as at -O0).
std::string SiteOf(uintptr_t pc, const SymbolTable& symbols) {
  const std::vector<SourceFrame> frames = Flatten({pc}, symbols);
  if (frames.empty()) return "an unknown place";
  const SourceFrame& frame = frames[FirstUserFrame(frames)];
  // "": the C++ library's own frame (callers then name where the lock was first used). A
  // frame without symbols says only its module and offset.
  if (!IsUserFrame(frame)) return IsLibraryFrame(frame) ? "" : FormatFrame(frame);
  if (frame.file.empty()) return FormatFrame(frame);
  return absl::StrCat(FrameSite(frame), " in ", frame.function);
}

}  // namespace

namespace {

// Where a lock was made: its source site, or the symbolized site of a preload object.
std::pair<std::string, uint32_t> SiteOf(const LockDescription& lock, const SymbolTable& symbols) {
  if (lock.site_pc == 0) return {lock.file, lock.line};
  const std::vector<SourceFrame> frames =
      Flatten(lock.site_stack.empty() ? std::vector<uintptr_t>{lock.site_pc} : lock.site_stack,
              symbols);
  if (frames.empty()) return {"", 0};
  const SourceFrame& frame = frames[FirstUserFrame(frames)];
  return {frame.file, frame.line};
}

// Where a lock was first used: for a class of an object or allocation site, the stack kept
// when its first object became known; else the class's site.
std::pair<std::string, uint32_t> FirstUseOf(const LockDescription& lock,
                                            const SymbolTable& symbols) {
  if (lock.first_use_stack.empty()) return SiteOf(lock, symbols);
  const std::vector<SourceFrame> frames = Flatten(lock.first_use_stack, symbols);
  if (frames.empty()) return {"", 0};
  const SourceFrame& frame = frames[FirstUserFrame(frames)];
  return {frame.file, frame.line};
}

}  // namespace

std::string LockLabel(const LockDescription& lock, const SymbolTable& symbols) {
  const auto [file, line] = SiteOf(lock, symbols);
  if (!lock.variable.name.empty() && lock.site_pc == 0) {  // a wrapper: where it was made
    return absl::StrCat(KindName(lock.kind), " ", lock.variable.name, " (created at ", file, ":",
                        line, ")");
  }
  if (!lock.variable.name.empty()) {
    if (lock.variable.decl_file.empty()) {
      return absl::StrCat(KindName(lock.kind), " ", lock.variable.name);
    }
    return absl::StrCat(KindName(lock.kind), " ", lock.variable.name, " (declared at ",
                        lock.variable.decl_file, ":", lock.variable.decl_line, ")");
  }
  if (lock.origin == format::ClassOrigin::kHeap && !file.empty()) {
    return absl::StrCat(KindName(lock.kind), " allocated at ", file, ":", line);
  }
  if (lock.site_pc != 0) {
    const auto [first_file, first_line] = FirstUseOf(lock, symbols);
    if (first_file.empty()) return absl::StrCat(KindName(lock.kind), " ", lock.class_name);
    return absl::StrCat(KindName(lock.kind), " first used at ", first_file, ":", first_line);
  }
  const std::string site = absl::StrCat(file, ":", line);
  if (lock.named) {
    return absl::StrCat(KindName(lock.kind), " \"", lock.class_name, "\" (created at ", site, ")");
  }
  return absl::StrCat(KindName(lock.kind), " created at ", site);
}

std::string LockShortName(const LockDescription& lock, const SymbolTable& symbols) {
  if (lock.named) return absl::StrCat("\"", lock.class_name, "\"");
  if (!lock.variable.name.empty()) return lock.variable.name;
  const auto [path, line] = SiteOf(lock, symbols);
  if (path.empty()) return lock.class_name;
  return absl::StrCat(Basename(path), ":", line);
}

void AppendStack(std::string& out, const std::vector<uintptr_t>& stack,
                 const SymbolTable& symbols, absl::string_view indent) {
  const std::vector<SourceFrame> frames = Flatten(stack, symbols);
  const auto [first, end] = UserFrameRange(frames);
  for (size_t i = first; i < end; ++i) {
    absl::StrAppend(&out, indent, "#", i - first, " ", FormatFrame(frames[i]), "\n");
  }
}

std::vector<uintptr_t> PcsOf(const CycleFinding& cycle) {
  std::vector<uintptr_t> pcs;
  for (const LockDescription& lock : cycle.locks) {
    pcs.push_back(lock.site_pc);
    pcs.insert(pcs.end(), lock.site_stack.begin(), lock.site_stack.end());
    pcs.insert(pcs.end(), lock.first_use_stack.begin(), lock.first_use_stack.end());
  }
  for (const CheckedDependency& edge : cycle.edges) {
    for (const HeldDescription& h : edge.held) pcs.push_back(h.pc);
    pcs.insert(pcs.end(), edge.stack.begin(), edge.stack.end());
  }
  return pcs;
}

std::string FormatCycleReport(const CycleFinding& cycle, const SymbolTable& symbols,
                              const ThreadNamer& thread_name, absl::string_view trace_path) {
  const size_t n = cycle.locks.size();
  std::vector<std::string> names;
  for (const LockDescription& lock : cycle.locks) names.push_back(LockShortName(lock, symbols));
  // Two locks first used on one line: tell them apart by their class keys.
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = i + 1; j < n; ++j) {
      if (names[i] == names[j] && cycle.locks[i].class_name != cycle.locks[j].class_name) {
        names[i] = absl::StrCat(names[i], " (", cycle.locks[i].class_name, ")");
        names[j] = absl::StrCat(names[j], " (", cycle.locks[j].class_name, ")");
      }
    }
  }

  std::string out = absl::StrFormat(
      "lockgraph: WARNING: lock-order cycle: possible deadlock between %d locks (%s)\n", n,
      absl::StrJoin(names, " -> "));
  for (size_t i = 0; i < n; ++i) {
    absl::StrAppend(&out, "  lock ", names[i], ": ", LockLabel(cycle.locks[i], symbols), "\n");
  }
  for (size_t i = 0; i < n; ++i) {
    const CheckedDependency& edge = cycle.edges[i];
    const std::string& from = names[i];
    const std::string& to = names[(i + 1) % n];
    uintptr_t held_pc = 0;
    for (const HeldDescription& h : edge.held) {
      if (h.id == cycle.locks[i].id) held_pc = h.pc;
    }
    std::string held_site = absl::StrCat(
        "taken at ", held_pc != 0 ? SiteOf(held_pc, symbols) : std::string("an unknown place"));
    if (held_site == "taken at ") {  // inside the C++ library: name where it was first used
      const auto [file, line] = FirstUseOf(cycle.locks[i], symbols);
      held_site = absl::StrCat("taken inside the C++ library; first used at ", file, ":", line);
    }
    absl::StrAppend(&out, "\n  thread ", edge.tid, " \"", thread_name(edge.tid), "\" holds ",
                    from, " (", held_site, ")\n  and takes ", to, " at:\n");
    AppendStack(out, edge.stack, symbols, "    ");
  }

  // The interleaving: every thread takes its first lock, then each waits for the next.
  absl::StrAppend(&out, "\n  They deadlock when each thread has taken its first lock:\n");
  constexpr int kColumn = 26;
  std::string header = "   ";
  for (size_t i = 0; i < n; ++i) {
    absl::StrAppend(&header, absl::StrFormat("%-*s", kColumn,
                                             absl::StrCat("thread ", cycle.edges[i].tid)));
  }
  absl::StrAppend(&out, absl::StripTrailingAsciiWhitespace(header), "\n");
  auto row = [&](size_t column, const std::string& text) {
    absl::StrAppend(&out, "   ", std::string(column * kColumn, ' '), text, "\n");
  };
  for (size_t i = 0; i < n; ++i) row(i, absl::StrCat("lock ", names[i]));
  for (size_t i = 0; i < n; ++i) row(i, absl::StrCat("lock ", names[(i + 1) % n], "  (waits)"));

  std::vector<std::string> order = names;
  const bool python = std::any_of(cycle.locks.begin(), cycle.locks.end(),
                                  [](const LockDescription& l) { return IsPythonSource(l.file); });
  absl::StrAppend(&out, "\n  Fix: take these locks in one order everywhere (",
                  absl::StrJoin(order, " before "), ")", TakeTogetherAdvice(python), ".\n");
  if (!trace_path.empty()) absl::StrAppend(&out, "  Trace: ", trace_path, "\n");
  return out;
}

std::vector<uintptr_t> PcsOf(const std::vector<DeadlockedThread>& threads) {
  std::vector<uintptr_t> pcs;
  for (const DeadlockedThread& t : threads) {
    for (const LockDescription* lock : {&t.held, &t.waits_for}) {
      pcs.push_back(lock->site_pc);
      pcs.insert(pcs.end(), lock->site_stack.begin(), lock->site_stack.end());
      pcs.insert(pcs.end(), lock->first_use_stack.begin(), lock->first_use_stack.end());
    }
    pcs.push_back(t.held_pc);
    pcs.insert(pcs.end(), t.stack.begin(), t.stack.end());
  }
  return pcs;
}

std::string FormatDeadlockReport(const std::vector<DeadlockedThread>& threads,
                                 const SymbolTable& symbols, const ThreadNamer& thread_name,
                                 absl::string_view trace_path, absl::string_view outcome) {
  auto thread_label = [&](uint32_t tid) {
    return absl::StrCat("thread ", tid, " \"", thread_name(tid), "\"");
  };
  auto taken_at = [&](const DeadlockedThread& t) {
    std::string site = t.held_pc != 0 ? SiteOf(t.held_pc, symbols) : "an unknown place";
    if (site.empty()) {  // inside the C++ library: name where the lock was first used
      const auto [file, line] = FirstUseOf(t.held, symbols);
      site = absl::StrCat("inside the C++ library; first used at ", file, ":", line);
    }
    return site;
  };
  std::string out;
  if (threads.size() == 1) {
    const DeadlockedThread& t = threads[0];
    // Why it cannot go on: a writer waits for every holder, a reader for the writer.
    const char* why = t.held_shared   ? "a writer waits for every reader"
                      : t.shared      ? "a reader waits for the writer"
                                      : "it is not recursive";
    absl::StrAppend(&out, "lockgraph: ERROR: deadlock now: ", thread_label(t.tid),
                    " waits", t.shared ? " as a reader" : "", " for ",
                    LockLabel(t.waits_for, symbols), ", which it holds itself",
                    t.held_shared ? " as a reader" : "", " (taken at ", taken_at(t), "): ", why,
                    ", so the thread waits forever\n");
    AppendStack(out, t.stack, symbols, "    ");
  } else {
    const bool across = std::any_of(threads.begin(), threads.end(),
                                    [](const DeadlockedThread& t) { return t.pid != 0; });
    absl::StrAppend(&out, "lockgraph: ERROR: deadlock now: ", threads.size(), " threads",
                    across ? " of several processes" : "",
                    " each wait for a lock the next one holds; none can go on\n");
    for (const DeadlockedThread& t : threads) {
      if (t.pid != 0) {
        absl::StrAppend(&out, "\n  thread ", t.tid, " \"", t.name, "\" of process ", t.pid,
                        " holds ", t.held_label, "\n  and waits for ", t.waits_label,
                        " (its stack is in that process's report and trace)\n");
        continue;
      }
      absl::StrAppend(&out, "\n  ", thread_label(t.tid), " holds ", LockLabel(t.held, symbols),
                      t.held_shared ? " as a reader" : "", " (taken at ", taken_at(t),
                      ")\n  and waits",
                      t.shared ? " as a reader" : "", " for ",
                      LockLabel(t.waits_for, symbols), " at:\n");
      AppendStack(out, t.stack, symbols, "    ");
    }
  }
  if (!trace_path.empty()) absl::StrAppend(&out, "  Trace: ", trace_path, "\n");
  absl::StrAppend(&out, outcome);
  return out;
}

std::string FormatMisuseReport(absl::string_view kind, absl::string_view headline,
                               const std::vector<uintptr_t>& stack, const SymbolTable& symbols) {
  std::string out = absl::StrCat("lockgraph: ERROR: misuse (", kind, "): ", headline, "\n");
  AppendStack(out, stack, symbols, "    ");
  return out;
}

}  // namespace lockgraph::runtime
