#include "tests/support/chrome_trace_checks.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"

namespace lockgraph::testing {

int64_t Nanos(const nlohmann::json& micros) {
  return std::llround(micros.get<double>() * 1000.0);
}

std::vector<nlohmann::json> EventsOf(const nlohmann::json& trace, const std::string& ph,
                                     const std::string& name) {
  std::vector<nlohmann::json> events;
  for (const nlohmann::json& e : trace.at("traceEvents")) {
    if (e.at("ph") == ph && (name.empty() || e.at("name") == name)) events.push_back(e);
  }
  return events;
}

int64_t ThreadId(const nlohmann::json& trace, const std::string& name) {
  int64_t tid = -1;
  for (const nlohmann::json& e : EventsOf(trace, "M", "thread_name")) {
    if (e.at("args").at("name") != name) continue;
    if (tid != -1) return -2;
    tid = e.at("tid").get<int64_t>();
  }
  return tid;
}

std::vector<std::string> NestingErrors(const nlohmann::json& trace) {
  struct Slice {
    int64_t begin, end;
    std::string name;
  };
  std::map<std::pair<int64_t, int64_t>, std::vector<Slice>> tracks;
  std::vector<std::string> errors;
  for (const nlohmann::json& e : EventsOf(trace, "X")) {
    const Slice slice{Nanos(e.at("ts")), Nanos(e.at("ts")) + Nanos(e.at("dur")),
                      e.at("name").get<std::string>()};
    if (slice.end < slice.begin) errors.push_back(absl::StrCat(slice.name, ": negative duration"));
    tracks[{e.at("pid").get<int64_t>(), e.at("tid").get<int64_t>()}].push_back(slice);
  }
  for (auto& [track, slices] : tracks) {
    std::sort(slices.begin(), slices.end(), [](const Slice& a, const Slice& b) {
      return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
    });
    std::vector<const Slice*> open;
    for (size_t i = 0; i < slices.size(); ++i) {
      const Slice& s = slices[i];
      const std::string where = absl::StrCat("track ", track.first, "/", track.second, ": \"",
                                             s.name, "\" at ", s.begin, " ns");
      if (i > 0 && slices[i - 1].begin == s.begin) {
        errors.push_back(absl::StrCat(where, " begins with \"", slices[i - 1].name, "\""));
      }
      while (!open.empty() && open.back()->end <= s.begin) open.pop_back();
      if (!open.empty() && s.end > open.back()->end) {
        errors.push_back(absl::StrCat(where, " overlaps \"", open.back()->name, "\" (",
                                      open.back()->begin, "..", open.back()->end, " ns)"));
      }
      open.push_back(&s);
    }
  }
  return errors;
}

const nlohmann::json* BoundSlice(const nlohmann::json& trace, const nlohmann::json& flow) {
  const int64_t at = Nanos(flow.at("ts"));
  for (const nlohmann::json& e : trace.at("traceEvents")) {
    if (e.at("pid") != flow.at("pid") || !e.contains("tid") || e.at("tid") != flow.at("tid")) {
      continue;
    }
    if (e.at("ph") == "i" && Nanos(e.at("ts")) == at - 1) return &e;
    if (e.at("ph") == "X" && Nanos(e.at("ts")) == at - 1 &&
        Nanos(e.at("ts")) + Nanos(e.at("dur")) > at) {
      return &e;
    }
  }
  return nullptr;
}

}  // namespace lockgraph::testing
