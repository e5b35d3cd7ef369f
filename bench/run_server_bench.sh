#!/usr/bin/env bash
# Real servers nobody here wrote, from Debian's packages: memcached loaded by memaslap
# (libmemcached-tools' `memcaslap`) and MariaDB loaded by sysbench's oltp_read_write, each run
# natively and under `lockgraph run --trace-dir DIR` (deps mode, through the LD_PRELOAD
# interposer). The configurations take turns, RUNS rounds; prints a markdown table of the
# load's throughput (median of the runs, range in brackets) natively and under lockgraph,
# then what `lockgraph analyze` finds in each server's traces (all its runs together): the
# findings by kind, and the text report, or "no findings".
#
#   bench/run_server_bench.sh                           # build/, both servers, 3 rounds of 30 s
#   RUNS=1 DURATION=5 SERVERS=memcached bench/run_server_bench.sh
#   BUILD_DIR=/tmp/b RUNS=5 DURATION=60 THREADS=8 bench/run_server_bench.sh
#
# Knobs: BUILD_DIR (lockgraph and liblockgraph_preload.so, default build/), RUNS (rounds,
# default 3), DURATION (seconds of load per run, default 30; not SECONDS, which is bash's
# clock), THREADS (memcached's worker threads and sysbench's client threads, default 4),
# SERVERS ("memcached mariadb"), MEMASLAP_THREADS and MEMASLAP_CONCURRENCY (memaslap's -T and
# -c, default 2 and 32), TABLES and TABLE_SIZE (sysbench, default 4 and 10000). LOCKGRAPH_OPTIONS
# is passed through to the runtime (`lockgraph run` adds only trace=).
#
# MariaDB runs with innodb_flush_log_at_trx_commit=2 (no fsync per commit), so that the
# server's CPU, not the disk, bounds the load; its tables are prepared once, natively, and
# every run starts from a copy of that data directory. Nothing is pinned: the servers are
# multithreaded and share the machine's CPUs with their load generators, so compare the
# ratios, not the absolute rates.
#
# Needs memcached and libmemcached-tools, mariadb-server and sysbench (Debian: apt-get install
# memcached libmemcached-tools mariadb-server sysbench), python3, and the targets lockgraph
# and lockgraph_preload.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${BUILD_DIR:-$root/build}"
runs="${RUNS:-3}"
duration="${DURATION:-30}"
threads="${THREADS:-4}"
servers="${SERVERS:-memcached mariadb}"
memaslap_threads="${MEMASLAP_THREADS:-2}"
memaslap_concurrency="${MEMASLAP_CONCURRENCY:-32}"
tables="${TABLES:-4}"
table_size="${TABLE_SIZE:-10000}"
lockgraph="$build/analyzer/lockgraph"
preload="$build/liblockgraph_preload.so"

die() { echo "run_server_bench: $*" >&2; exit 2; }

for file in "$lockgraph" "$preload"; do
  [[ -e "$file" ]] || die "$file not found (build the targets lockgraph and lockgraph_preload first)"
done
command -v python3 >/dev/null || die "python3 not found"
for server in $servers; do
  case "$server" in
    memcached) tools=(memcached memcaslap) ;;
    mariadb) tools=(mariadbd mariadb-install-db mariadb-admin mariadb sysbench) ;;
    *) die "unknown server '$server' in SERVERS (memcached, mariadb)" ;;
  esac
  for tool in "${tools[@]}"; do
    command -v "$tool" >/dev/null || PATH="$PATH:/usr/sbin:/sbin" command -v "$tool" >/dev/null ||
      die "$tool not found (Debian: apt-get install memcached libmemcached-tools mariadb-server sysbench)"
  done
done
export PATH="$PATH:/usr/sbin:/sbin"  # mariadbd is in /usr/sbin

as_root=0
[[ "$(id -u)" -eq 0 ]] && as_root=1

work="$(mktemp -d)"
server_pid=""
cleanup() {
  # A server still running (a failed run): end it, and lockgraph with it.
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# Starts "$@" in the background, its output in $1.out/$1.err under $work: sets server_pid.
# Under lockgraph the process is `lockgraph run`, which passes SIGTERM on to the server.
start() {
  local log="$1" how="$2" trace_dir="$3"
  shift 3
  if [[ "$how" == lockgraph ]]; then
    "$lockgraph" run --trace-dir "$trace_dir" -- "$@" >"$work/$log.out" 2>"$work/$log.err" &
  else
    "$@" >"$work/$log.out" 2>"$work/$log.err" &
  fi
  server_pid=$!
}

# Waits up to $2 seconds for server_pid to exit; fails (with the server's log $1) if it does
# not, or exits with a status other than 0.
wait_exit() {
  local log="$1" limit="$2" status=0
  for ((tenth = 0; tenth < limit * 10; tenth++)); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$server_pid" 2>/dev/null && die "$log did not exit within ${limit} s of its shutdown"
  wait "$server_pid" || status=$?
  server_pid=""
  if ((status != 0)); then
    cat "$work/$log.err" >&2
    die "$log exited with status $status"
  fi
}

# Polls until `$2...` succeeds (the server accepts connections), up to $1 seconds; fails if
# the server died meanwhile.
wait_ready() {
  local log="$1" limit="$2"
  shift 2
  for ((tenth = 0; tenth < limit * 10; tenth++)); do
    "$@" >/dev/null 2>&1 && return 0
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/$log.err" >&2; die "$log exited before it accepted connections"; }
    sleep 0.1
  done
  cat "$work/$log.err" >&2
  die "$log did not accept connections within $limit s"
}

# A traced run must have written a non-empty trace.
check_trace() {
  local log="$1" trace_dir="$2" bytes
  bytes="$(cat "$trace_dir"/*.lgtrace 2>/dev/null | wc -c)"
  ((bytes > 0)) || { cat "$work/$log.err" >&2; die "$log wrote no trace into $trace_dir"; }
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

tcp_accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# ---- memcached ----

memcached_run() {
  local how="$1" i="$2" log="memcached.$1.$2" trace_dir="$work/traces/memcached.$2" port
  port="$(free_port)"
  local command=(memcached -t "$threads" -l 127.0.0.1 -p "$port" -U 0)
  ((as_root)) && command+=(-u root)
  start "$log" "$how" "$trace_dir" "${command[@]}"
  wait_ready "$log" 60 tcp_accepts "$port"
  memcaslap -s "127.0.0.1:$port" -T "$memaslap_threads" -c "$memaslap_concurrency" \
    -t "${duration}s" >"$work/$log.load" 2>&1 || { cat "$work/$log.load" >&2; die "memcaslap failed"; }
  kill -TERM "$server_pid"
  wait_exit "$log" 120
  [[ "$how" == lockgraph ]] && check_trace "$log" "$trace_dir"
  # "Run time: 10.0s Ops: 409295 TPS: 81853 Net_rate: 91.6M/s"
  local tps
  tps="$(sed -n 's/^Run time: .* TPS: \([0-9]*\) .*/\1/p' "$work/$log.load" | tail -1)"
  [[ -n "$tps" ]] || { cat "$work/$log.load" >&2; die "no TPS in memcaslap's output"; }
  echo "memcached $how $tps" >>"$work/results"
}

# ---- MariaDB ----

mariadb_options() {  # the server's options for data directory $1
  local data="$1" run_dir="$1.run"
  mkdir -p "$run_dir"
  local options=(--no-defaults --datadir="$data" --socket="$run_dir/sock" --skip-networking
    --pid-file="$run_dir/pid" --log-error="$run_dir/error.log"
    --innodb-buffer-pool-size=128M --innodb-log-file-size=48M
    --innodb-flush-log-at-trx-commit=2
    --innodb-buffer-pool-dump-at-shutdown=OFF --innodb-buffer-pool-load-at-startup=OFF)
  ((as_root)) && options+=(--user=root)
  printf '%s\n' "${options[@]}"
}

mariadb_client() {  # $1: data directory, $2: the client; then its arguments
  local run_dir="$1.run" client="$2"
  shift 2
  "$client" --no-defaults --socket="$run_dir/sock" --user=root "$@"
}

sysbench_oltp() {  # $1: data directory, $2: prepare or run; then more arguments
  local run_dir="$1.run" step="$2"
  shift 2
  sysbench oltp_read_write --db-driver=mysql --mysql-socket="$run_dir/sock" --mysql-user=root \
    --tables="$tables" --table-size="$table_size" "$@" "$step"
}

mariadb_shutdown() {  # $1: data directory, $2: the log's name
  mariadb_client "$1" mariadb-admin shutdown >/dev/null
  wait_exit "$2" 300
}

# The data directory every run copies: installed, sbtest prepared, shut down.
mariadb_template() {
  local data="$work/mariadb.template" options
  mapfile -t options < <(mariadb_options "$data")
  local install=(mariadb-install-db "${options[@]}" --auth-root-authentication-method=normal
    --skip-test-db)
  "${install[@]}" >"$work/mariadb.install.log" 2>&1 ||
    { cat "$work/mariadb.install.log" >&2; die "mariadb-install-db failed"; }
  start mariadb.prepare native "" mariadbd "${options[@]}"
  wait_ready mariadb.prepare 120 mariadb_client "$data" mariadb-admin ping
  mariadb_client "$data" mariadb -e "CREATE DATABASE sbtest"
  sysbench_oltp "$data" prepare >"$work/mariadb.prepare.load" 2>&1 ||
    { cat "$work/mariadb.prepare.load" >&2; die "sysbench prepare failed"; }
  mariadb_shutdown "$data" mariadb.prepare
}

mariadb_run() {
  local how="$1" i="$2" log="mariadb.$1.$2" trace_dir="$work/traces/mariadb.$2"
  local data="$work/mariadb.data" options
  rm -rf "$data" "$data.run"
  cp -a "$work/mariadb.template" "$data"
  mapfile -t options < <(mariadb_options "$data")
  start "$log" "$how" "$trace_dir" mariadbd "${options[@]}"
  wait_ready "$log" 120 mariadb_client "$data" mariadb-admin ping
  sysbench_oltp "$data" run --threads="$threads" --time="$duration" >"$work/$log.load" 2>&1 ||
    { cat "$work/$log.load" >&2; die "sysbench run failed"; }
  mariadb_shutdown "$data" "$log"
  [[ "$how" == lockgraph ]] && check_trace "$log" "$trace_dir"
  # "    transactions:                        5372   (1073.34 per sec.)"
  local tps
  tps="$(sed -n 's/^ *transactions: *[0-9]* *(\([0-9.]*\) per sec.)/\1/p' "$work/$log.load")"
  [[ -n "$tps" ]] || { cat "$work/$log.load" >&2; die "no transactions/s in sysbench's output"; }
  echo "mariadb $how $tps" >>"$work/results"
  rm -rf "$data" "$data.run"
}

# ---- The rounds ----

load_before="$(cut -d' ' -f1 /proc/loadavg)"
mkdir -p "$work/traces"
: >"$work/results"
for server in $servers; do
  [[ "$server" == mariadb ]] && mariadb_template
done
for ((i = 1; i <= runs; i++)); do
  for server in $servers; do
    for how in native lockgraph; do
      echo "run_server_bench: round $i/$runs: $server $how" >&2
      "${server}_run" "$how" "$i"
    done
  done
done
load_after="$(cut -d' ' -f1 /proc/loadavg)"

# What the analyzer finds in each server's traces, all its runs together.
for server in $servers; do
  "$lockgraph" analyze --fail-on=never --format=json -o "$work/$server.json" \
    "$work/traces/$server".* 2>"$work/$server.analyze.err" ||
    { cat "$work/$server.analyze.err" >&2; die "lockgraph analyze failed on $server's traces"; }
  "$lockgraph" analyze --fail-on=never "$work/traces/$server".* >"$work/$server.txt" 2>&1 ||
    { cat "$work/$server.txt" >&2; die "lockgraph analyze failed on $server's traces"; }
done

versions=()
for server in $servers; do
  case "$server" in
    memcached) versions+=("$(memcached -V) (memaslap $(memcaslap -V 2>&1 | head -1 | awk '{print $2}'))") ;;
    mariadb) versions+=("$(mariadbd --version | sed 's/^.*Ver //;s/ for .*//') (sysbench $(sysbench --version | awk '{print $2}'))") ;;
  esac
done

python3 - "$work" "$runs" "$duration" "$threads" "$memaslap_threads" "$memaslap_concurrency" \
  "$tables" "$table_size" "$load_before" "$load_after" "${LOCKGRAPH_OPTIONS-}" "$servers" \
  "${versions[@]}" <<'PY'
import collections, json, os, platform, statistics, sys
(work, runs, duration, threads, m_threads, m_conc, tables, table_size, load_before,
 load_after, options, servers) = sys.argv[1:13]
versions = sys.argv[13:]
servers = servers.split()
values = collections.defaultdict(list)
for line in open(f"{work}/results"):
    server, how, rate = line.split()
    values[(server, how)].append(float(rate))
loads = {
    "memcached": (f"memaslap -T {m_threads} -c {m_conc}, {duration} s (90% get, 10% set); "
                  f"`memcached -t {threads}`", "ops/s"),
    "mariadb": (f"sysbench oltp_read_write, {threads} threads, {tables} tables of "
                f"{table_size} rows, {duration} s", "transactions/s"),
}
cpu_model = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                  if line.startswith("model name")), "?")
print(f"machine: {platform.node()}, {os.cpu_count()} CPUs ({cpu_model}); load average "
      f"{load_before} before, {load_after} after; {runs} round(s), native and under "
      f"`lockgraph run` taking turns" + (f"; LOCKGRAPH_OPTIONS={options}" if options else ""))
print("servers: " + "; ".join(versions))
print()
print(f"| server | load | native (median of {runs}) | under lockgraph (median of {runs}) "
      "| slowdown |")
print("|---|---|---:|---:|---:|")
def cell(v, unit):
    text = f"{statistics.median(v):,.0f} {unit}"
    return text + (f" [{min(v):,.0f}–{max(v):,.0f}]" if len(v) > 1 else "")
for server in servers:
    load, unit = loads[server]
    native, traced = values[(server, "native")], values[(server, "lockgraph")]
    ratio = statistics.median(native) / statistics.median(traced)
    print(f"| {server} | {load} | {cell(native, unit)} | {cell(traced, unit)} | "
          f"{ratio:.2f}x slower |")
print()
for server in servers:
    report = json.load(open(f"{work}/{server}.json"))
    summary = report["summary"]
    counts = {kind: n for kind, n in summary["findings"].items() if n}
    print(f"### {server}: " + (", ".join(f"{n} {kind}" for kind, n in sorted(counts.items()))
                               if counts else "no findings"))
    print()
    print(f"traces: {summary['traces']}, threads {summary['threads']}, locks "
          f"{summary['locks']}, classes {summary['classes']}, dependencies "
          f"{summary['dependencies']}, cycles ruled out {summary['ruled_out']}, suppressed "
          f"{summary['suppressed']}")
    if counts:
        print()
        print("```")
        print(open(f"{work}/{server}.txt").read().rstrip())
        print("```")
    print()
PY
