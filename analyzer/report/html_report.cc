#include "analyzer/report/html_report.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "analyzer/report/text_report.h"
#include "common/source_frame.h"

namespace lockgraph::analyzer {
namespace {

// ---- Page furniture ----

constexpr char kStyle[] = R"css(
:root{--bg:#f5f6f8;--card:#fff;--fg:#1d2330;--muted:#5d6676;--line:#dde1e8;--code:#eff1f5;
--deadlock:#c62828;--potential:#d35400;--race:#7b1fa2;--long-wait:#1565c0;--misuse:#6d4c41;
--ok:#2e7d32;--bar:#90b4e0}
@media (prefers-color-scheme:dark){:root{--bg:#14171c;--card:#1d2129;--fg:#e3e6eb;
--muted:#9aa3b2;--line:#343b47;--code:#272c35;--deadlock:#ef5350;--potential:#ff9f43;
--race:#ce93d8;--long-wait:#64b5f6;--misuse:#bcaaa4;--ok:#66bb6a;--bar:#35557d}}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--fg);
font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
main{max-width:1280px;margin:0 auto;padding:20px 24px 40px}
h1{font-size:24px;margin:0}h2{font-size:19px;margin:28px 0 10px}
h3{font-size:16px;margin:0;font-weight:600}h4{font-size:14px;margin:16px 0 6px}
h5{font-size:13px;margin:0 0 6px}
code,.lg-mono{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;
font-size:12.5px}
code{background:var(--code);padding:1px 4px;border-radius:4px;overflow-wrap:anywhere}
a{color:inherit}
.lg-muted{color:var(--muted)}
.lg-card,.lg-finding{background:var(--card);border:1px solid var(--line);border-radius:10px;
padding:16px 18px;margin:12px 0}
.lg-k-deadlock{--kc:var(--deadlock)}.lg-k-potential{--kc:var(--potential)}
.lg-k-race{--kc:var(--race)}.lg-k-long-wait{--kc:var(--long-wait)}
.lg-k-misuse{--kc:var(--misuse)}
.lg-finding{border-left:5px solid var(--kc)}
.lg-finding>header{display:flex;gap:10px;align-items:baseline;flex-wrap:wrap}
.lg-badge{display:inline-block;border-radius:999px;padding:0 9px;font-size:12px;font-weight:600;
color:#fff;background:var(--kc,var(--muted));white-space:nowrap}
.lg-tag{display:inline-block;border:1px solid var(--line);border-radius:999px;padding:0 8px;
font-size:12px;color:var(--muted)}
.lg-tag.lg-observed{border-color:var(--kc);color:var(--kc);font-weight:600}
.lg-meta{margin:4px 0 0;color:var(--muted);font-size:13px}
.lg-verdict{margin:4px 0 0;font-size:15px}.lg-verdict.lg-clean{color:var(--ok)}
.lg-counts{display:flex;flex-wrap:wrap;gap:10px;list-style:none;padding:0;margin:14px 0}
.lg-count{flex:1 1 140px;background:var(--card);border:1px solid var(--line);
border-top:4px solid var(--kc);border-radius:10px;padding:10px 14px}
.lg-count a{text-decoration:none}.lg-count b{display:block;font-size:26px;line-height:1.1}
.lg-count.lg-zero{opacity:.55}
.lg-facts{display:flex;flex-wrap:wrap;gap:4px 22px;margin:0}
.lg-facts div{display:flex;gap:6px}.lg-facts dt{color:var(--muted)}.lg-facts dd{margin:0;
font-weight:600}
.lg-warnings{margin:10px 0 0;padding-left:20px;color:var(--potential)}
.lg-columns{display:grid;grid-template-columns:repeat(auto-fit,minmax(280px,1fr));gap:12px;
margin-top:8px}
.lg-col{border:1px solid var(--line);border-radius:8px;padding:10px 12px;min-width:0}
.lg-col p{margin:4px 0}
.lg-edge-no{display:inline-block;min-width:20px;height:20px;border-radius:10px;
background:var(--kc);color:#fff;text-align:center;font-size:12px;line-height:20px;
margin-right:6px}
.lg-stack{margin:4px 0 8px;padding:6px 8px 6px 34px;background:var(--code);border-radius:6px;
font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;
font-size:12px;line-height:1.45}
.lg-stack li{overflow-wrap:anywhere}.lg-stack .lg-fn{font-weight:600}
.lg-stack .lg-src{color:var(--muted)}
.lg-nostack{color:var(--muted);font-style:italic}
.lg-fix{margin:12px 0 0;padding:8px 12px;border-radius:6px;background:var(--code)}
.lg-figure{display:flex;flex-wrap:wrap;gap:16px;align-items:center;margin:12px 0 0}
.lg-figure>div{flex:1 1 320px;min-width:0}
.lg-figure figcaption{font-size:12px;color:var(--muted);margin-top:6px}
svg.lg-cycle,svg.lg-chart{max-width:100%;height:auto;display:block}
.lg-node rect{fill:var(--card);stroke:var(--kc);stroke-width:2}
.lg-node-name{font-size:13px;font-weight:600;fill:var(--fg)}
.lg-node-kind{font-size:10px;fill:var(--muted)}
.lg-edge path{fill:none;stroke:var(--kc);stroke-width:2.2}
.lg-edge-fix path{stroke-width:3.2;stroke-dasharray:7 4}
.lg-arrowhead{fill:var(--kc)}
.lg-edge-label{font-size:11px;fill:var(--fg);paint-order:stroke;stroke:var(--card);
stroke-width:4px;stroke-linejoin:round}
.lg-edge-label .lg-site{fill:var(--muted)}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid var(--line);padding:5px 7px;text-align:left;vertical-align:top}
td.lg-num,th.lg-num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
table.lg-locks{width:auto;min-width:320px}table.lg-locks td{overflow-wrap:anywhere}
.lg-scroll{overflow-x:auto}
.lg-sortable{font-size:12.5px}.lg-sortable th,.lg-sortable td{padding:4px 6px}
.lg-sortable th{cursor:pointer;user-select:none;white-space:nowrap}
.lg-sortable th::after{content:" \2195";color:var(--muted);font-size:11px}
.lg-sortable th[aria-sort=ascending]::after{content:" \25B2";color:var(--fg)}
.lg-sortable th[aria-sort=descending]::after{content:" \25BC";color:var(--fg)}
.lg-sortable tbody tr:hover{background:var(--code)}
.lg-rw{font-weight:700;text-transform:uppercase;font-size:11px;padding:0 6px;border-radius:4px;
border:1px solid currentColor}
.lg-write{color:var(--deadlock)}.lg-read{color:var(--long-wait)}
.lg-bar-total{fill:var(--bar)}.lg-bar-max{fill:var(--long-wait)}
.lg-chart text{font-size:12px;fill:var(--fg)}.lg-chart .lg-axis{fill:var(--muted);font-size:11px}
.lg-chart line{stroke:var(--line)}
details>summary{cursor:pointer;font-weight:600}
.lg-ruled li{margin:6px 0}
footer{margin-top:32px;color:var(--muted);font-size:12px}
)css";

// Sorts table.lg-sortable by the clicked column: numbers by their data-v, text by its content;
// a first click sorts numbers largest first and text A to Z, the next click reverses.
constexpr char kScript[] = R"js(
(function () {
  'use strict';
  function key(cell, numeric) {
    var v = cell.getAttribute('data-v');
    if (numeric) return v === null ? -Infinity : Number(v);
    return (v === null ? cell.textContent : v).toLowerCase();
  }
  var tables = document.querySelectorAll('table.lg-sortable');
  Array.prototype.forEach.call(tables, function (table) {
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, column) {
      function sort() {
        var numeric = th.getAttribute('data-type') === 'num';
        var now = th.getAttribute('aria-sort');
        var dir = now === 'descending' ? 'ascending' : now === 'ascending' ? 'descending' :
                  numeric ? 'descending' : 'ascending';
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir);
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a.cells[column], numeric), y = key(b.cells[column], numeric);
          var c = x < y ? -1 : x > y ? 1 : 0;
          return dir === 'ascending' ? c : -c;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.tabIndex = 0;
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); }
      });
    });
  });
  document.documentElement.setAttribute('data-lg-ready', '1');
})();
)js";

// ---- Text ----

std::string Esc(absl::string_view text) { return HtmlEscape(text); }

// At most `max` characters (UTF-8 code points), with an ellipsis if cut.
std::string Shorten(const std::string& text, size_t max) {
  size_t points = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80) continue;
    if (++points > max) return text.substr(0, i) + "\u2026";
  }
  return text;
}

size_t Width(const std::string& text) {  // in code points
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  }));
}

std::string Plural(uint64_t n, const char* one, const char* many) {
  return absl::StrCat(n, " ", n == 1 ? one : many);
}

// The short name of a lock in a picture: "accounts" for `Lock "accounts"`, "bank.cc:12" for
// `Lock created at src/bank.cc:12`.
std::string ShortLockName(const FindingLock& lock) {
  const std::string& label = lock.label;
  const size_t quote = label.find('"');
  if (quote != std::string::npos && label.size() >= quote + 2 && label.back() == '"') {
    return label.substr(quote + 1, label.size() - quote - 2);
  }
  for (const char* marker : {" created at ", " first used at ", " allocated at "}) {
    const size_t at = label.find(marker);
    if (at != std::string::npos) return Basename(label.substr(at + strlen(marker)));
  }
  if (const size_t space = label.find(' '); space != std::string::npos) {
    return label.substr(space + 1);  // `pthread_mutex g_accounts`: the variable
  }
  return lock.class_name.empty() ? label : lock.class_name;
}

// A class key as a table shows it: one named by its site ("/src/bank.cc:12") by the file's
// name, any other whole.
std::string DisplayClass(const std::string& key) {
  const size_t colon = key.rfind(':');
  if (key.find('/') == std::string::npos || colon == std::string::npos || colon + 1 == key.size() ||
      !std::all_of(key.begin() + colon + 1, key.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    return key;
  }
  return Basename(key);
}

// `Lock "accounts", created at bank.cc:12`; a lock named by its site says it once.
std::string LockTitle(const FindingLock& lock) {
  if (lock.site.empty() || absl::StrContains(lock.label, lock.site)) return lock.label;
  return absl::StrCat(lock.label, ", ", lock.site_verb, " at ", lock.site);
}

std::string ThreadShortName(const FindingThread& thread) {
  return thread.name.empty() ? absl::StrCat("thread ", thread.id)
                             : absl::StrCat("\"", thread.name, "\"");
}

std::string Code(const std::string& text, const char* fallback = "an unknown place") {
  return text.empty() ? absl::StrCat("<span class=\"lg-muted\">", fallback, "</span>")
                      : absl::StrCat("<code>", Esc(text), "</code>");
}

// A site in a column of stacks: the file's name, the whole path as its tooltip.
std::string ShortCode(const std::string& site) {
  if (site.empty()) return Code(site);
  return absl::StrCat("<code title=\"", Esc(site), "\">", Esc(Basename(site)), "</code>");
}

void AppendStack(std::string& out, const FindingStack& stack) {
  if (stack.frames.empty()) {
    absl::StrAppend(&out, "<p class=\"lg-nostack\">no stack recorded</p>\n");
    return;
  }
  absl::StrAppend(&out, "<ol class=\"lg-stack\" start=\"0\">");
  for (const SourceFrame& frame : stack.frames) {
    if (frame.file.empty()) {
      absl::StrAppend(&out, "<li><span class=\"lg-fn\">", Esc(frame.function),
                      "</span> <span class=\"lg-src\">(", Esc(frame.module), ")</span></li>");
      continue;
    }
    const std::string where = absl::StrCat(frame.file, ":", frame.line);
    absl::StrAppend(&out, "<li><span class=\"lg-fn\">", Esc(frame.function),
                    "</span> <span class=\"lg-src\" title=\"", Esc(where), "\">",
                    Esc(Basename(where)), "</span></li>");
  }
  absl::StrAppend(&out, "</ol>\n");
}

// ---- The picture of a cycle ----

struct Point {
  double x = 0, y = 0;
};
Point operator+(Point a, Point b) { return {a.x + b.x, a.y + b.y}; }
Point operator-(Point a, Point b) { return {a.x - b.x, a.y - b.y}; }
Point operator*(Point a, double k) { return {a.x * k, a.y * k}; }
double Length(Point a) { return std::hypot(a.x, a.y); }

std::string Num(double v) {
  if (std::fabs(v) < 0.05) return "0";
  return absl::StrFormat("%.1f", v);
}

struct Box {
  double min_x = 1e9, min_y = 1e9, max_x = -1e9, max_y = -1e9;
  void Add(Point p) {
    min_x = std::min(min_x, p.x), max_x = std::max(max_x, p.x);
    min_y = std::min(min_y, p.y), max_y = std::max(max_y, p.y);
  }
  void Add(double x0, double y0, double x1, double y1) {
    Add(Point{x0, y0});
    Add(Point{x1, y1});
  }
};

constexpr double kPi = 3.14159265358979323846;
constexpr double kNodeHalfHeight = 20;
constexpr double kNameCharWidth = 7.8;   // of the 13px bold node names, generously
constexpr double kLabelCharWidth = 6.4;  // of the 11px edge labels
constexpr size_t kMaxNodeName = 28;

struct Node {
  Point center;
  double half_width = 0;
  std::string name;
};

// Where the ray from a node's center in direction `u` leaves its box, plus `gap`.
Point Exit(const Node& node, Point u, double gap) {
  const double tx = std::fabs(u.x) > 1e-9 ? node.half_width / std::fabs(u.x) : 1e9;
  const double ty = std::fabs(u.y) > 1e-9 ? kNodeHalfHeight / std::fabs(u.y) : 1e9;
  return node.center + u * (std::min(tx, ty) + gap);
}

// The cycle's locks on a circle, clockwise from the top (left and right for two), edges as
// arcs bent away from the center so both directions between two locks stay apart. Each edge
// is labelled with its number, thread and acquisition line; the edge `highlight` (the one the
// finding points at, or none) is drawn dashed. Coordinates are computed here; the viewBox is
// the bounding box of everything drawn, so the picture scales to the page.
void AppendCycleSvg(std::string& out, const Finding& f, size_t index, size_t highlight) {
  const size_t n = f.locks.size();
  std::vector<Node> nodes(n);
  double widest = 0;
  for (size_t i = 0; i < n; ++i) {
    std::string name = ShortLockName(f.locks[i]);
    for (size_t j = 0; j < n; ++j) {
      if (j != i && ShortLockName(f.locks[j]) == name) {
        name = absl::StrCat(name, " #", i + 1);  // locks of one class: number them
        break;
      }
    }
    nodes[i].name = Shorten(name, kMaxNodeName);
    nodes[i].half_width = std::max(40.0, Width(nodes[i].name) * kNameCharWidth / 2 + 14);
    widest = std::max(widest, 2 * nodes[i].half_width);
  }
  double radius = 0;
  if (n >= 2) {
    // Neighbours at least a node's width (plus room for a label) apart.
    radius = std::max(n == 2 ? 150.0 : 120.0, (widest + 70) / (2 * std::sin(kPi / n)));
  }
  for (size_t i = 0; i < n; ++i) {
    const double angle = n == 2 ? (i == 0 ? kPi : 0) : -kPi / 2 + 2 * kPi * i / n;
    nodes[i].center = {radius * std::cos(angle), radius * std::sin(angle)};
  }

  Box box;
  for (const Node& node : nodes) {
    box.Add(node.center.x - node.half_width, node.center.y - kNodeHalfHeight,
            node.center.x + node.half_width, node.center.y + kNodeHalfHeight);
  }
  std::string edges, labels;
  for (size_t k = 0; k < f.edges.size(); ++k) {
    const FindingEdge& e = f.edges[k];
    if (e.from >= n || e.to >= n) continue;
    const Node& a = nodes[e.from];
    const Node& b = nodes[e.to];
    std::string path;
    Point anchor, normal;
    if (e.from == e.to) {
      // A lock after itself: a loop over its node.
      const Point top = a.center + Point{0, -kNodeHalfHeight};
      const Point start = top + Point{-12, -3}, end = top + Point{12, -3};
      path = absl::StrCat("M", Num(start.x), ",", Num(start.y), " C", Num(top.x - 45), ",",
                          Num(top.y - 70), " ", Num(top.x + 45), ",", Num(top.y - 70), " ",
                          Num(end.x), ",", Num(end.y));
      anchor = top + Point{0, -58};
      normal = {0, -1};
      box.Add(top.x - 45, top.y - 60, top.x + 45, top.y);
    } else {
      const Point d = b.center - a.center;
      const double length = std::max(Length(d), 1.0);
      const Point mid = (a.center + b.center) * 0.5;
      normal = Point{d.y, -d.x} * (1 / length);
      if (Length(mid) > 1 && normal.x * mid.x + normal.y * mid.y < 0) normal = normal * -1;
      // Bend like the circle's arc through both locks (a half circle for two).
      const double chord = std::min(length, 2 * radius);
      double sagitta = n == 2
                           ? 0.32 * length
                           : radius - std::sqrt(std::max(0.0, radius * radius - chord * chord / 4));
      sagitta = std::max(sagitta, 0.12 * length);
      const Point control = mid + normal * (2 * sagitta);
      const Point start = Exit(a, (control - a.center) * (1 / Length(control - a.center)), 3);
      const Point end = Exit(b, (control - b.center) * (1 / Length(control - b.center)), 4);
      path = absl::StrCat("M", Num(start.x), ",", Num(start.y), " Q", Num(control.x), ",",
                          Num(control.y), " ", Num(end.x), ",", Num(end.y));
      const Point peak = (start + end) * 0.25 + control * 0.5;
      anchor = peak + normal * 10;
      box.Add(start);
      box.Add(end);
      box.Add(peak);
    }
    const std::string line1 = absl::StrCat(k + 1, " \u00b7 ", ThreadShortName(e.thread));
    const std::string site = e.acquire.site();
    const std::string line2 = site.empty() ? "unknown site" : Basename(site);
    const double width = std::max(Width(line1), Width(line2)) * kLabelCharWidth;
    const char* text_anchor = "middle";
    double x0 = anchor.x - width / 2;
    if (normal.x > 0.35) {
      text_anchor = "start";
      x0 = anchor.x;
    } else if (normal.x < -0.35) {
      text_anchor = "end";
      x0 = anchor.x - width;
    }
    double y1 = anchor.y - 2;  // baselines of the two lines
    if (normal.y < -0.35) y1 = anchor.y - 14;
    if (normal.y > 0.35) y1 = anchor.y + 11;
    box.Add(x0, y1 - 11, x0 + width, y1 + 16);

    std::string how;
    if (e.flags & format::kAcquireTimed) how = " (with a timeout)";
    if (e.flags & format::kAcquireShared) how = " (shared)";
    const std::string title =
        absl::StrCat(e.thread.label(), " holds ", f.locks[e.from].label, " and takes ",
                     f.locks[e.to].label, how, " at ", site.empty() ? "an unknown place" : site,
                     " (", Plural(e.count, "time", "times"), ")");
    absl::StrAppend(&edges, "<g class=\"lg-edge", k == highlight ? " lg-edge-fix" : "",
                    "\" data-edge=\"", k, "\" data-from=\"", e.from, "\" data-to=\"", e.to,
                    "\" data-thread=\"", Esc(e.thread.name), "\"><title>", Esc(title),
                    "</title><path d=\"", path, "\" marker-end=\"url(#lg-arrow-", index,
                    ")\"/></g>\n");
    absl::StrAppend(&labels, "<text class=\"lg-edge-label\" x=\"", Num(anchor.x), "\" y=\"",
                    Num(y1), "\" text-anchor=\"", text_anchor, "\"><tspan>", Esc(line1),
                    "</tspan><tspan class=\"lg-site\" x=\"", Num(anchor.x), "\" dy=\"13\">",
                    Esc(line2), "</tspan></text>\n");
  }

  const double margin = 12;
  const double x = box.min_x - margin, y = box.min_y - margin;
  const double w = box.max_x - box.min_x + 2 * margin, h = box.max_y - box.min_y + 2 * margin;
  std::vector<std::string> names;
  for (const FindingLock& lock : f.locks) names.push_back(lock.label);
  absl::StrAppend(&out, "<svg class=\"lg-cycle\" data-nodes=\"", n, "\" data-edges=\"",
                  f.edges.size(), "\" viewBox=\"", Num(x), " ", Num(y), " ", Num(w), " ", Num(h),
                  "\" width=\"", Num(w), "\" height=\"", Num(h), "\" role=\"img\" aria-label=\"",
                  Esc(absl::StrCat("cycle: ", absl::StrJoin(names, " -> "))),
                  "\">\n<defs><marker id=\"lg-arrow-", index,
                  "\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" "
                  "markerHeight=\"7\" orient=\"auto-start-reverse\"><path class=\"lg-arrowhead\" "
                  "d=\"M0,0 L10,5 L0,10 z\"/></marker></defs>\n",
                  edges);
  for (size_t i = 0; i < n; ++i) {
    const Node& node = nodes[i];
    const FindingLock& lock = f.locks[i];
    absl::StrAppend(&out, "<g class=\"lg-node\" data-lock=\"", i, "\" data-class=\"",
                    Esc(lock.class_name), "\" transform=\"translate(", Num(node.center.x), " ",
                    Num(node.center.y), ")\"><title>", Esc(LockTitle(lock)), "</title><rect x=\"",
                    Num(-node.half_width), "\" y=\"", Num(-kNodeHalfHeight), "\" width=\"",
                    Num(2 * node.half_width), "\" height=\"", Num(2 * kNodeHalfHeight),
                    "\" rx=\"8\"/><text class=\"lg-node-name\" y=\"-1\" text-anchor=\"middle\">",
                    Esc(node.name),
                    "</text><text class=\"lg-node-kind\" y=\"13\" "
                    "text-anchor=\"middle\">",
                    Esc(format::SyncKindName(lock.kind)), "</text></g>\n");
  }
  absl::StrAppend(&out, labels, "</svg>\n");
}

// ---- Findings ----

std::string AcquireHow(uint8_t flags) {
  std::vector<std::string> how;
  if (flags & format::kAcquireTry) how.push_back("try");
  if (flags & format::kAcquireTimed) how.push_back("with a timeout");
  if (flags & format::kAcquireShared) how.push_back("shared");
  return how.empty() ? "" : absl::StrCat(" (", absl::StrJoin(how, ", "), ")");
}

void AppendCycle(std::string& out, const Finding& f, size_t index) {
  size_t highlight = f.edges.size();
  for (size_t k = 0; k < f.edges.size(); ++k) {
    if (!f.location.empty() && f.edges[k].acquire.site() == f.location) {
      highlight = k;
      break;
    }
  }
  absl::StrAppend(&out, "<figure class=\"lg-figure\">\n");
  AppendCycleSvg(out, f, index, highlight);
  absl::StrAppend(&out,
                  "<div><table class=\"lg-locks\"><thead><tr><th>lock</th><th>kind</th>"
                  "<th>where</th></tr></thead><tbody>\n");
  for (const FindingLock& lock : f.locks) {
    absl::StrAppend(&out, "<tr><td>", Esc(lock.label), "</td><td>",
                    Esc(format::SyncKindName(lock.kind)), "</td><td>", Esc(lock.site_verb), " at ",
                    ShortCode(lock.site), "</td></tr>\n");
  }
  absl::StrAppend(&out,
                  "</tbody></table>\n<figcaption>Each arrow is a thread that holds the lock "
                  "at its tail and takes the lock at its head; the arrows close a cycle, "
                  "so these threads can wait for each other forever.",
                  highlight < f.edges.size()
                      ? " Dashed: the acquisition the finding points at, the one to change."
                      : "",
                  "</figcaption></div>\n</figure>\n");

  absl::StrAppend(&out, "<h4>The orders, edge by edge</h4>\n<div class=\"lg-columns\">\n");
  for (size_t k = 0; k < f.edges.size(); ++k) {
    const FindingEdge& e = f.edges[k];
    if (e.from >= f.locks.size() || e.to >= f.locks.size()) continue;
    absl::StrAppend(
        &out, "<section class=\"lg-col\" data-edge=\"", k, "\"><h5><span class=\"lg-edge-no\">",
        k + 1, "</span>", Esc(e.thread.label()), "</h5>\n<p>holds <b>", Esc(f.locks[e.from].label),
        "</b>, ",
        e.held_is_first_use ? "taken inside the C++ library; first used at " : "taken at ",
        ShortCode(e.held.site()), ":</p>\n");
    AppendStack(out, e.held);
    absl::StrAppend(&out, "<p>then takes <b>", Esc(f.locks[e.to].label), "</b>",
                    AcquireHow(e.flags), " at ", ShortCode(e.acquire.site()), " (this order ",
                    Plural(e.count, "time", "times"), "):</p>\n");
    AppendStack(out, e.acquire);
    absl::StrAppend(&out, "</section>\n");
  }
  absl::StrAppend(&out, "</div>\n");
  if (!f.fix.empty()) {
    absl::StrAppend(&out, "<p class=\"lg-fix\"><b>Fix:</b> ", Esc(f.fix), "</p>\n");
  }
}

void AppendRace(std::string& out, const Finding& f) {
  if (!f.locks.empty()) {
    absl::StrAppend(&out, "<p>Variable <b>", Esc(f.locks[0].label), "</b>, declared at ",
                    Code(f.locks[0].site), ".</p>\n");
  }
  if (f.occurrences > 1) {
    absl::StrAppend(&out, "<p>", f.occurrences, " racing pairs at these two places.</p>\n");
  }
  absl::StrAppend(&out, "<div class=\"lg-columns\">\n");
  for (size_t i = 0; i < f.accesses.size(); ++i) {
    const FindingAccess& a = f.accesses[i];
    absl::StrAppend(&out, "<section class=\"lg-col lg-access\" data-write=\"", a.write ? 1 : 0,
                    "\"><h5><span class=\"lg-edge-no\">", i + 1, "</span>", Esc(a.thread.label()),
                    " <span class=\"lg-rw ", a.write ? "lg-write\">write" : "lg-read\">read",
                    "</span></h5>\n<p>at ", ShortCode(a.stack.site()), ", holding ");
    if (a.held.empty()) {
      absl::StrAppend(&out, "no lock");
    } else {
      std::vector<std::string> held;
      for (const std::string& lock : a.held) held.push_back(absl::StrCat("<b>", Esc(lock), "</b>"));
      absl::StrAppend(&out, absl::StrJoin(held, ", "));
    }
    absl::StrAppend(&out, ":</p>\n");
    AppendStack(out, a.stack);
    absl::StrAppend(&out, "</section>\n");
  }
  absl::StrAppend(&out,
                  "</div>\n<p class=\"lg-muted\">Neither access happens before the other "
                  "and no lock is held around both: add a common lock or order them.</p>\n");
}

void AppendLongWait(std::string& out, const Finding& f) {
  absl::StrAppend(&out, "<p>Longest wait <b>", FormatDuration(f.wait_max_ns), "</b>, ",
                  FormatDuration(f.wait_total_ns), " in all over ",
                  Plural(f.occurrences, "wait", "waits"), ".</p>\n<div class=\"lg-columns\">\n");
  absl::StrAppend(&out, "<section class=\"lg-col\"><h5>", Esc(f.waiter.label()),
                  " waited at</h5>\n");
  AppendStack(out, f.waiter_stack);
  absl::StrAppend(&out, "</section>\n<section class=\"lg-col\">");
  if (f.holder.id != 0) {
    absl::StrAppend(&out, "<h5>", Esc(f.holder.label()), " held it, taken at</h5>\n");
    AppendStack(out, f.holder_stack);
  } else {
    absl::StrAppend(&out, "<h5>the holder is not known</h5>\n");
  }
  absl::StrAppend(&out, "</section>\n</div>\n");
}

void AppendMisuse(std::string& out, const Finding& f) {
  if (!f.locks.empty()) {
    absl::StrAppend(&out, "<p>Lock <b>", Esc(f.locks[0].label), "</b>, ", Esc(f.locks[0].site_verb),
                    " at ", Code(f.locks[0].site), ".</p>\n");
  }
  absl::StrAppend(&out, "<h5>", Esc(f.waiter.label()), ", at</h5>\n");
  AppendStack(out, f.waiter_stack);
  if (f.holder.id != 0) {
    absl::StrAppend(&out, "<p class=\"lg-muted\">The other thread: ", Esc(f.holder.label()),
                    ".</p>\n");
  }
}

// Finding ids are unique in a report; if two were not, the second anchor gets a suffix.
std::string Anchor(const std::string& id, absl::flat_hash_set<std::string>& used) {
  std::string anchor = id.empty() ? "finding" : id;
  for (int i = 2; !used.insert(anchor).second; ++i) anchor = absl::StrCat(id, "-", i);
  return anchor;
}

void AppendFinding(std::string& out, const Finding& f, size_t index,
                   absl::flat_hash_set<std::string>& anchors) {
  const char* kind = FindingKindName(f.kind);
  absl::StrAppend(&out, "<article class=\"lg-finding lg-k-", kind, "\" id=\"",
                  Esc(Anchor(f.id, anchors)), "\" data-kind=\"", kind, "\" data-id=\"", Esc(f.id),
                  "\">\n<header><span class=\"lg-badge\">", kind, "</span><h3>", Esc(f.message),
                  "</h3>");
  if (f.observed) {
    absl::StrAppend(&out, "<span class=\"lg-tag lg-observed\">happened in this run</span>");
  }
  if (f.confirmation.tried && f.confirmation.confirmed && !f.observed) {
    absl::StrAppend(&out, "<span class=\"lg-tag lg-observed\">confirmed: deadlocked when "
                          "steered</span>");
  } else if (f.confirmation.tried && !f.confirmation.confirmed) {
    absl::StrAppend(&out, "<span class=\"lg-tag\">not reproduced in ", f.confirmation.tries,
                    f.confirmation.tries == 1 ? " try" : " tries", "</span>");
  }
  if (f.suppressed) absl::StrAppend(&out, "<span class=\"lg-tag\">suppressed</span>");
  if (f.in_baseline) absl::StrAppend(&out, "<span class=\"lg-tag\">in the baseline</span>");
  absl::StrAppend(&out, "</header>\n<p class=\"lg-meta\">", Code(f.location, "no location"),
                  " \u00b7 <span class=\"lg-mono\">", Esc(f.id), "</span></p>\n");
  switch (f.kind) {
    case FindingKind::kDeadlock:
    case FindingKind::kPotential:
      AppendCycle(out, f, index);
      break;
    case FindingKind::kRace:
      AppendRace(out, f);
      break;
    case FindingKind::kLongWait:
      AppendLongWait(out, f);
      break;
    case FindingKind::kMisuse:
      AppendMisuse(out, f);
      break;
  }
  absl::StrAppend(&out, "</article>\n");
}

// One row per long wait: the total (light) with the longest wait (dark) over it, on one scale.
void AppendLongWaitChart(std::string& out, const std::vector<const Finding*>& waits) {
  constexpr double kLabelWidth = 300, kBarWidth = 480, kRow = 30, kTop = 8, kValueWidth = 250;
  uint64_t scale = 1;
  for (const Finding* f : waits) scale = std::max({scale, f->wait_total_ns, f->wait_max_ns});
  const double height = kTop + kRow * waits.size() + 34;
  const double width = kLabelWidth + kBarWidth + kValueWidth;
  absl::StrAppend(&out, "<figure class=\"lg-figure\"><svg class=\"lg-chart\" data-bars=\"",
                  waits.size(), "\" viewBox=\"0 0 ", Num(width), " ", Num(height), "\" width=\"",
                  Num(width), "\" height=\"", Num(height),
                  "\" role=\"img\" aria-label=\"long waits, longest and total\">\n");
  const double axis_y = kTop + kRow * waits.size() + 4;
  for (int tick = 0; tick <= 4; ++tick) {
    const double x = kLabelWidth + kBarWidth * tick / 4;
    absl::StrAppend(&out, "<line x1=\"", Num(x), "\" y1=\"", Num(kTop - 4), "\" x2=\"", Num(x),
                    "\" y2=\"", Num(axis_y), "\"/><text class=\"lg-axis\" x=\"", Num(x), "\" y=\"",
                    Num(axis_y + 15), "\" text-anchor=\"middle\">",
                    FormatDuration(static_cast<uint64_t>(static_cast<double>(scale) * tick / 4)),
                    "</text>\n");
  }
  for (size_t i = 0; i < waits.size(); ++i) {
    const Finding& f = *waits[i];
    const double y = kTop + kRow * i;
    const double total = kBarWidth * static_cast<double>(f.wait_total_ns) / scale;
    const double max = kBarWidth * static_cast<double>(f.wait_max_ns) / scale;
    const std::string lock = f.locks.empty() ? "a lock" : ShortLockName(f.locks[0]);
    const std::string label =
        Shorten(absl::StrCat(lock, " \u2190 ", ThreadShortName(f.waiter)), 40);
    absl::StrAppend(&out, "<g class=\"lg-bar\" data-max-ns=\"", f.wait_max_ns,
                    "\" data-total-ns=\"", f.wait_total_ns, "\"><title>", Esc(f.message),
                    "</title><text x=\"", Num(kLabelWidth - 10), "\" y=\"", Num(y + 18),
                    "\" text-anchor=\"end\">", Esc(label),
                    "</text><rect class=\"lg-bar-total\" x=\"", Num(kLabelWidth), "\" y=\"",
                    Num(y + 4), "\" width=\"", Num(std::max(total, 1.0)),
                    "\" height=\"20\" rx=\"3\"/><rect "
                    "class=\"lg-bar-max\" x=\"",
                    Num(kLabelWidth), "\" y=\"", Num(y + 4), "\" width=\"", Num(std::max(max, 1.0)),
                    "\" height=\"20\" rx=\"3\"/><text x=\"", Num(kLabelWidth + kBarWidth + 10),
                    "\" y=\"", Num(y + 18), "\">max ", FormatDuration(f.wait_max_ns),
                    " \u00b7 total ", FormatDuration(f.wait_total_ns), " (",
                    Plural(f.occurrences, "wait", "waits"), ")</text></g>\n");
  }
  absl::StrAppend(&out,
                  "</svg><figcaption>Dark: the longest wait; light: all waits of the "
                  "finding together.</figcaption></figure>\n");
}

void AppendStats(std::string& out, const std::vector<ClassStatsRow>& rows) {
  absl::StrAppend(&out, "<section id=\"stats\"><h2>Lock statistics</h2>\n");
  if (rows.empty()) {
    absl::StrAppend(&out,
                    "<p class=\"lg-muted\">No lock statistics in these traces.</p>"
                    "</section>\n");
    return;
  }
  absl::StrAppend(
      &out,
      "<div class=\"lg-card lg-scroll\"><table class=\"lg-sortable\" id=\"stats-table\">"
      "<thead><tr><th>class</th><th>kind</th><th>created at</th>"
      "<th class=\"lg-num\" data-type=\"num\">acquired</th>"
      "<th class=\"lg-num\" data-type=\"num\">contended</th>"
      "<th class=\"lg-num\" data-type=\"num\" aria-sort=\"descending\">wait total</th>"
      "<th class=\"lg-num\" data-type=\"num\">wait max</th>"
      "<th class=\"lg-num\" data-type=\"num\">wait p50</th>"
      "<th class=\"lg-num\" data-type=\"num\">wait p99</th>"
      "<th class=\"lg-num\" data-type=\"num\">hold total</th>"
      "<th class=\"lg-num\" data-type=\"num\">hold max</th></tr></thead><tbody>\n");
  for (const ClassStatsRow& r : rows) {
    // The file's name keeps the table narrow; the whole path is the cell's tooltip.
    absl::StrAppend(&out, "<tr><td title=\"", Esc(r.class_name), "\">",
                    Esc(DisplayClass(r.class_name)), "</td><td>", Esc(format::SyncKindName(r.kind)),
                    "</td><td title=\"", Esc(r.site), "\">", Esc(Basename(r.site)), "</td>");
    absl::StrAppend(&out, "<td class=\"lg-num\" data-v=\"", r.acquisitions, "\">", r.acquisitions,
                    "</td><td class=\"lg-num\" data-v=\"", r.contended, "\">", r.contended,
                    "</td>");
    for (uint64_t ns : {r.wait_total_ns, r.wait_max_ns, r.wait_p50_ns, r.wait_p99_ns,
                        r.hold_total_ns, r.hold_max_ns}) {
      absl::StrAppend(&out, "<td class=\"lg-num\" data-v=\"", ns, "\">", FormatDuration(ns),
                      "</td>");
    }
    absl::StrAppend(&out, "</tr>\n");
  }
  absl::StrAppend(&out,
                  "</tbody></table></div>\n<p class=\"lg-muted\">Click a column to sort. "
                  "Percentiles are the upper bounds of histogram buckets; hold times are "
                  "estimated from sampled holds.</p></section>\n");
}

void AppendRuledOut(std::string& out, const std::vector<RuledOutCycle>& ruled_out) {
  absl::StrAppend(&out, "<section id=\"ruled-out\"><h2>Ruled out</h2>\n");
  if (ruled_out.empty()) {
    absl::StrAppend(&out, "<p class=\"lg-muted\">No cycle was ruled out.</p></section>\n");
    return;
  }
  absl::StrAppend(&out, "<details class=\"lg-card\"><summary>",
                  Plural(ruled_out.size(), "cycle", "cycles"),
                  " that cannot deadlock, and why</summary>\n<ul class=\"lg-ruled\">\n");
  for (const RuledOutCycle& r : ruled_out) {
    std::vector<std::string> locks;
    for (const std::string& lock : r.locks) locks.push_back(Esc(lock));
    absl::StrAppend(&out, "<li><span class=\"lg-tag\">", r.class_level ? "class" : "instance",
                    "</span> ", absl::StrJoin(locks, " \u2192 "), ": ", Esc(r.reason), "</li>\n");
  }
  absl::StrAppend(&out, "</ul></details></section>\n");
}

struct KindSection {
  FindingKind kind;
  const char* anchor;
  const char* title;
  const char* one;
  const char* many;
};
constexpr KindSection kSections[] = {
    {FindingKind::kDeadlock, "deadlocks", "Deadlocks", "deadlock", "deadlocks"},
    {FindingKind::kPotential, "potential", "Potential deadlocks", "potential", "potential"},
    {FindingKind::kRace, "races", "Data races", "race", "races"},
    {FindingKind::kLongWait, "long-waits", "Long waits", "long wait", "long waits"},
    {FindingKind::kMisuse, "misuse", "Misuse", "misuse", "misuse"},
};

void AppendSummary(std::string& out, const Report& report, const uint64_t* counts,
                   uint64_t hidden) {
  uint64_t total = 0;
  std::vector<std::string> parts;
  for (const KindSection& s : kSections) {
    const uint64_t count = counts[static_cast<int>(s.kind)];
    total += count;
    if (count > 0) parts.push_back(Plural(count, s.one, s.many));
  }
  absl::StrAppend(&out, "<header><h1>lockgraph report</h1>\n<p class=\"lg-verdict",
                  total == 0 ? " lg-clean\">No findings" : "\">",
                  total == 0 ? "" : Plural(total, "finding: ", "findings: "),
                  absl::StrJoin(parts, ", "),
                  hidden > 0 ? absl::StrCat(" (and ", hidden,
                                            " suppressed or in the "
                                            "baseline)")
                             : "",
                  "</p></header>\n<section id=\"summary\">\n<ul class=\"lg-counts\">\n");
  for (const KindSection& s : kSections) {
    const uint64_t count = counts[static_cast<int>(s.kind)];
    const char* kind = FindingKindName(s.kind);
    absl::StrAppend(&out, "<li class=\"lg-count lg-k-", kind, count == 0 ? " lg-zero" : "",
                    "\" data-kind=\"", kind, "\" data-count=\"", count, "\">",
                    count > 0 ? absl::StrCat("<a href=\"#", s.anchor, "\">") : "", "<b>", count,
                    "</b>", count == 1 ? s.one : s.many, count > 0 ? "</a>" : "", "</li>\n");
  }
  const Summary& sum = report.summary;
  absl::StrAppend(&out, "</ul>\n<div class=\"lg-card\"><dl class=\"lg-facts\">");
  auto fact = [&out](const char* name, uint64_t value) {
    absl::StrAppend(&out, "<div><dt>", name, "</dt><dd>", value, "</dd></div>");
  };
  fact("traces", sum.traces);
  fact("records", sum.records);
  fact("threads", sum.threads);
  fact("locks", sum.locks);
  fact("classes", sum.classes);
  fact("dependencies", sum.dependencies);
  fact("cycles checked", sum.cycles_checked);
  fact("ruled out", report.ruled_out.size());
  if (hidden > 0) fact("suppressed or in the baseline", hidden);
  if (sum.cycles_not_searched > 0)
    fact("cycles past --max-cycles, not checked", sum.cycles_not_searched);
  if (sum.components_cut_short > 0) fact("components searched in part", sum.components_cut_short);
  if (sum.unnamed_self_nesting > 0) {
    fact("unnamed classes nested in themselves (not reported)", sum.unnamed_self_nesting);
  }
  absl::StrAppend(&out, "</dl>\n");
  if (!report.warnings.empty()) {
    absl::StrAppend(&out, "<ul class=\"lg-warnings\">\n");
    for (const std::string& warning : report.warnings) {
      absl::StrAppend(&out, "<li>warning: ", Esc(warning), "</li>\n");
    }
    absl::StrAppend(&out, "</ul>\n");
  }
  absl::StrAppend(&out, "</div></section>\n");
}

}  // namespace

std::string HtmlEscape(absl::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string FormatHtmlReport(const Report& report) {
  uint64_t counts[std::size(kAllFindingKinds)] = {};
  uint64_t hidden = 0;
  for (const Finding& f : report.findings) {
    if (f.counts()) {
      ++counts[static_cast<int>(f.kind)];
    } else {
      ++hidden;
    }
  }
  std::vector<std::string> title;
  for (const KindSection& s : kSections) {
    const uint64_t count = counts[static_cast<int>(s.kind)];
    if (count > 0) title.push_back(Plural(count, s.one, s.many));
  }
  std::string out;
  absl::StrAppend(&out,
                  "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  // Nothing but the inline style and script may load: the page stays
                  // offline even if a string from the traces were to slip through.
                  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src "
                  "'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
                  "<title>lockgraph: ",
                  title.empty() ? "no findings" : absl::StrJoin(title, ", "), "</title>\n<style>",
                  kStyle, "</style>\n</head>\n<body>\n<main>\n");
  AppendSummary(out, report, counts, hidden);

  absl::flat_hash_set<std::string> anchors;
  for (const KindSection& s : kSections) {
    std::vector<size_t> shown;
    for (size_t i = 0; i < report.findings.size(); ++i) {
      if (report.findings[i].kind == s.kind && report.findings[i].counts()) shown.push_back(i);
    }
    if (shown.empty()) continue;
    absl::StrAppend(&out, "<section id=\"", s.anchor, "\"><h2>", s.title, "</h2>\n");
    if (s.kind == FindingKind::kLongWait) {
      std::vector<const Finding*> waits;
      for (size_t i : shown) waits.push_back(&report.findings[i]);
      AppendLongWaitChart(out, waits);
    }
    for (size_t i : shown) AppendFinding(out, report.findings[i], i, anchors);
    absl::StrAppend(&out, "</section>\n");
  }
  AppendStats(out, report.stats);
  AppendRuledOut(out, report.ruled_out);
  if (hidden > 0) {
    absl::StrAppend(&out,
                    "<section id=\"hidden\"><h2>Suppressed and baseline findings</h2>\n"
                    "<details class=\"lg-card\"><summary>",
                    Plural(hidden, "finding", "findings"),
                    " that do not count (--suppressions, --baseline)</summary>\n");
    for (size_t i = 0; i < report.findings.size(); ++i) {
      if (!report.findings[i].counts()) AppendFinding(out, report.findings[i], i, anchors);
    }
    absl::StrAppend(&out, "</details></section>\n");
  }
  absl::StrAppend(&out,
                  "<footer>lockgraph 0.1 \u00b7 a self-contained report: it loads nothing "
                  "from the network.</footer>\n</main>\n<script>",
                  kScript, "</script>\n</body>\n</html>\n");
  return out;
}

}  // namespace lockgraph::analyzer
