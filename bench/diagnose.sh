#!/usr/bin/env bash
# Times `onramp diagnose` against curl on the same healthy mutual-TLS
# loopback endpoint (openssl s_server -www -Verify 1) with the same
# certificate, key, CA bundle and API key header, alternating runs, and
# prints the median wall-time ratio and onramp's peak RSS.
# Targets: ratio <= 1.0, peak RSS <= 30 MB. Builds nothing: uses $ONRAMP_BIN.
set -euo pipefail

: "${ONRAMP_BIN:?set ONRAMP_BIN to the onramp binary}"
RUNS=${RUNS:-21}
MAX_RATIO=${MAX_RATIO:-1.0}
MAX_RSS_KB=${MAX_RSS_KB:-30720}

# shellcheck source=lib/mtls-server.sh
source "$(dirname "$0")/lib/mtls-server.sh"

export BENCH_API_KEY=bench-key-value
onramp_cmd=("$ONRAMP_BIN" diagnose "$url" --cert client.pem --key client.key --cacert ca.pem --api-key-env BENCH_API_KEY)
curl_cmd=(curl -s -o /dev/null -f --cacert ca.pem --cert client.pem --key client.key -H "x-api-key: $BENCH_API_KEY" "$url")

"${onramp_cmd[@]}" >onramp.out && grep -q "✓ http" onramp.out || { cat onramp.out; echo "onramp diagnose failed on the healthy endpoint"; exit 1; }

now_ns() { date +%s%N; }
: >onramp.times
: >curl.times
for _ in $(seq "$RUNS"); do
	t0=$(now_ns); "${onramp_cmd[@]}" >/dev/null; t1=$(now_ns)
	"${curl_cmd[@]}"; t2=$(now_ns)
	echo $((t1 - t0)) >>onramp.times
	echo $((t2 - t1)) >>curl.times
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
mo=$(median onramp.times)
mc=$(median curl.times)

/usr/bin/time -f '%M' -o rss.txt "${onramp_cmd[@]}" >/dev/null
rss=$(tail -1 rss.txt)

ratio=$(awk -v o="$mo" -v c="$mc" 'BEGIN {printf "%.2f", o / c}')
printf 'onramp diagnose median %.1f ms, curl median %.1f ms over %d alternating runs: ratio %s (target <= %s)\n' \
	"$(awk -v n="$mo" 'BEGIN{print n/1e6}')" "$(awk -v n="$mc" 'BEGIN{print n/1e6}')" "$RUNS" "$ratio" "$MAX_RATIO"
printf 'onramp diagnose peak RSS %d KB (target <= %d KB)\n' "$rss" "$MAX_RSS_KB"

status=0
if awk -v r="$ratio" -v m="$MAX_RATIO" 'BEGIN {exit !(r > m)}'; then echo "FAIL: slower than curl"; status=1; fi
if ((rss > MAX_RSS_KB)); then echo "FAIL: peak RSS above target"; status=1; fi
exit $status
