#!/usr/bin/env bash
# Times `onramp diagnose -x PROXY` against `curl -x PROXY` through the same
# local tinyproxy (CONNECT) to the same healthy mutual-TLS loopback endpoint
# (openssl s_server -www -Verify 1), same certificate, key, CA bundle and
# API key header, alternating runs, and prints the median wall-time ratio.
# Target: ratio <= 1.0. Builds nothing: uses $ONRAMP_BIN.
set -euo pipefail

: "${ONRAMP_BIN:?set ONRAMP_BIN to the onramp binary}"
RUNS=${RUNS:-21}
MAX_RATIO=${MAX_RATIO:-1.0}

# shellcheck source=lib/mtls-server.sh
source "$(dirname "$0")/lib/mtls-server.sh"

pport=$(free_port)
printf 'Port %s\nListen 127.0.0.1\nTimeout 10\nLogLevel Warning\nMaxClients 20\nAllow 127.0.0.1\nDisableViaHeader Yes\n' "$pport" >tinyproxy.conf
tinyproxy -d -c tinyproxy.conf >proxy.log 2>&1 &
pids="$pids $!"
proxy="http://127.0.0.1:$pport"
for _ in $(seq 50); do
	curl -s -o /dev/null -x "$proxy" --cacert ca.pem --cert client.pem --key client.key "$url" && break
	sleep 0.1
done

export BENCH_API_KEY=bench-key-value
onramp_cmd=("$ONRAMP_BIN" diagnose "$url" -x "$proxy" --cert client.pem --key client.key --cacert ca.pem --api-key-env BENCH_API_KEY)
curl_cmd=(curl -s -o /dev/null -f -x "$proxy" --cacert ca.pem --cert client.pem --key client.key -H "x-api-key: $BENCH_API_KEY" "$url")

"${onramp_cmd[@]}" >onramp.out && grep -q "✓ proxy" onramp.out && grep -q "✓ http" onramp.out || { cat onramp.out; echo "onramp diagnose failed through the proxy"; exit 1; }

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

ratio=$(awk -v o="$mo" -v c="$mc" 'BEGIN {printf "%.2f", o / c}')
printf 'through tinyproxy: onramp diagnose median %.1f ms, curl -x median %.1f ms over %d alternating runs: ratio %s (target <= %s)\n' \
	"$(awk -v n="$mo" 'BEGIN{print n/1e6}')" "$(awk -v n="$mc" 'BEGIN{print n/1e6}')" "$RUNS" "$ratio" "$MAX_RATIO"

status=0
if awk -v r="$ratio" -v m="$MAX_RATIO" 'BEGIN {exit !(r > m)}'; then echo "FAIL: slower than curl"; status=1; fi
exit $status
