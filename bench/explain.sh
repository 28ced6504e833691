#!/usr/bin/env bash
# Speed and memory of `onramp explain --file` over a 100 MB log of mixed
# lines, side by side with `grep -F -c` for one fixed string over the same
# file, with the full recogniser set (the hand-written rows and the
# clients' own tables, explain/sources). Targets (issue 16): throughput >=
# 30% of grep's, peak RSS < 50 MB. Then the accuracy on the corpus real
# clients printed (explain/corpus): top-1 and top-3 per client, tuned and
# held-out part apart (held out: whole clients and whole scenarios, listed
# in the table's header; goal >= 97% top-1 on both). Samples whose text
# cannot tell the cause ("opaque": a client that prints only "HTTP 400"
# and hides nginx's page) are counted apart, answered when the cause is in
# explain's first three; the strict lines count them as misses.
# Needs GNU time (/usr/bin/time; Debian package "time") for peak RSS.
set -euo pipefail

BIN=${ONRAMP_BIN:-bin/onramp}
RUNS=${RUNS:-5}
SIZE_MB=${SIZE_MB:-100}
[ -x "$BIN" ] || { echo "explain.sh: $BIN is not built (make build, or set ONRAMP_BIN)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "explain.sh: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
log=$dir/mixed.log

# Mostly ordinary lines; one in a hundred is an error some client printed.
awk -v size=$((SIZE_MB * 1000 * 1000)) 'BEGIN {
  n[0] = "2026-11-22T10:00:00.123Z INFO  http: 10.0.0.7 \"GET /v1/persons/A1234BC HTTP/1.1\" 200 1532 12ms"
  n[1] = "2026-11-22T10:00:00.456Z DEBUG pool: connection reused host=api.example:443 idle=3"
  n[2] = "2026-11-22T10:00:01.001Z INFO  job=sync batch=42 processed=500 failed=0"
  n[3] = "2026-11-22T10:00:01.789Z WARN  slow query 1200ms select * from events where id > $1"
  n[4] = "2026-11-22T10:00:02.000Z INFO  token refreshed; expires_in=599 scope=read"
  e[0] = "2026-11-22T10:00:02Z ERROR Get \"https://api.example/\": tls: failed to verify certificate: x509: certificate signed by unknown authority"
  e[1] = "2026-11-22T10:00:03Z ERROR curl: (56) OpenSSL SSL_read: error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0"
  e[2] = "2026-11-22T10:00:04Z ERROR javax.net.ssl.SSLHandshakeException: PKIX path building failed: unable to find valid certification path"
  e[3] = "2026-11-22T10:00:05Z ERROR Error: connect ECONNREFUSED 10.0.0.9:8443"
  total = 0; i = 0
  while (total < size) {
    line = (i % 100 == 99) ? e[int(i / 100) % 4] : n[i % 5]
    print line
    total += length(line) + 1; i++
  }
}' > "$log"
bytes=$(stat -c %s "$log")

now() { date +%s%N; }
ot=(); gt=(); rss=()
for i in $(seq "$RUNS"); do
  t0=$(now)
  /usr/bin/time -f %M -o "$dir/rss" "$BIN" explain --file "$log" > "$dir/out" || { echo "onramp explain failed" >&2; cat "$dir/out" >&2; exit 1; }
  t1=$(now)
  # Not to /dev/null: GNU grep then stops at the first match.
  grep -F -c 'certificate required' "$log" > "$dir/grep.out"
  t2=$(now)
  ot+=($((t1 - t0))); gt+=($((t2 - t1))); rss+=("$(cat "$dir/rss")")
done

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
om=$(median "${ot[@]}"); gm=$(median "${gt[@]}"); rm_kb=$(median "${rss[@]}")
max_kb=$(printf '%s\n' "${rss[@]}" | sort -n | tail -1)

status=0
awk -v b="$bytes" -v o="$om" -v g="$gm" -v r="$max_kb" -v runs="$RUNS" 'BEGIN {
  omb = b / (o / 1e9) / 1e6; gmb = b / (g / 1e9) / 1e6; ratio = omb / gmb
  printf "log: %.1f MB, %d runs each, medians\n", b / 1e6, runs
  printf "onramp explain --file: %7.3f s  %8.1f MB/s  peak RSS %.1f MB\n", o / 1e9, omb, r / 1024
  printf "grep -F -c:            %7.3f s  %8.1f MB/s\n", g / 1e9, gmb
  printf "throughput ratio: %.1f%% of grep (target >= 30%%); peak RSS target < 50 MB\n", ratio * 100
  ok = ratio >= 0.30 && r / 1024 < 50
  print (ok ? "PASS" : "FAIL")
  exit ok ? 0 : 1
}' || status=$?

# Accuracy on the client corpus (the table TestExplainAccuracy logs).
cd "$(dirname "$0")/.."
go test -count=1 -run '^TestExplainAccuracy$' -v ./explain | sed -n 's/^        //p; /top-1 on the/p'
exit $status
