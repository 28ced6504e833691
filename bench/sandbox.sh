#!/usr/bin/env bash
# Compares `onramp sandbox` with nginx serving the same status answer with
# the same certificates (mutual TLS, the sandbox's own PKI): median curl
# wall time per request (a new mutual-TLS handshake each time, alternating
# servers), the sandbox's first start (PKI made from nothing) and its RSS
# after the run. Targets: ratio <= 2.0, first start <= 2 s, RSS <= 40 MB.
# Builds nothing: uses $ONRAMP_BIN.
set -euo pipefail

: "${ONRAMP_BIN:?set ONRAMP_BIN to the onramp binary}"
RUNS=${RUNS:-41}
MAX_RATIO=${MAX_RATIO:-2.0}
MAX_START_MS=${MAX_START_MS:-2000}
MAX_RSS_KB=${MAX_RSS_KB:-40960}

work=$(mktemp -d)
sandbox_pid=""
nginx_pid=""
cleanup() {
	for p in $sandbox_pid $nginx_pid; do kill -INT "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT
cd "$work"
export ONRAMP_CONFIG_DIR="$work/config" ONRAMP_STORE=file NO_COLOR=1
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

sport=$(free_port)
t0=$(date +%s%N)
# The file store needs a passphrase it cannot ask for here; the sandbox then
# keeps its keys in 0600 files, which is what this run wants anyway.
"$ONRAMP_BIN" sandbox --addr "127.0.0.1:$sport" --apim-addr 127.0.0.1:0 </dev/null 2>sandbox.log &
sandbox_pid=$!
for _ in $(seq 200); do grep -q "Press ctrl+c" sandbox.log 2>/dev/null && break; sleep 0.01; done
start_ms=$((($(date +%s%N) - t0) / 1000000))
grep -q "Press ctrl+c" sandbox.log || { cat sandbox.log; echo "the sandbox did not start"; exit 1; }

d="$ONRAMP_CONFIG_DIR/sandbox"
key=$(cat "$d/api-key")
nport=$(free_port)
cat >nginx.conf <<EOF
daemon off; master_process off; worker_processes 1;
pid $work/nginx.pid; error_log $work/nginx.err;
events {}
http {
  access_log off;
  client_body_temp_path $work; proxy_temp_path $work; fastcgi_temp_path $work; uwsgi_temp_path $work; scgi_temp_path $work;
  server {
    listen 127.0.0.1:$nport ssl;
    ssl_certificate $d/server.pem; ssl_certificate_key $d/server.key;
    ssl_client_certificate $d/client-ca.pem; ssl_verify_client on;
    location /checks/passport { default_type application/json; return 200 '{"available":true,"scheduledOutages":[]}'; }
  }
}
EOF
/usr/sbin/nginx -p "$work" -c "$work/nginx.conf" &
nginx_pid=$!

req() { curl -s -o /dev/null -f --cacert "$d/root-ca.pem" --cert "$d/client.pem" --key "$d/client.key" -H "x-api-key: $key" "https://localhost:$1/checks/passport"; }
for _ in $(seq 50); do req "$nport" && break; sleep 0.1; done
req "$sport" || { cat sandbox.log; echo "the sandbox refused a correct request"; exit 1; }
req "$nport" || { cat nginx.err; echo "nginx refused a correct request"; exit 1; }

now_ns() { date +%s%N; }
: >sandbox.times
: >nginx.times
for _ in $(seq "$RUNS"); do
	t0=$(now_ns); req "$sport"; t1=$(now_ns); req "$nport"; t2=$(now_ns)
	echo $((t1 - t0)) >>sandbox.times
	echo $((t2 - t1)) >>nginx.times
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ms=$(median sandbox.times)
mn=$(median nginx.times)
rss=$(awk '/VmRSS/ {print $2}' "/proc/$sandbox_pid/status")
ratio=$(awk -v a="$ms" -v b="$mn" 'BEGIN {printf "%.2f", a / b}')
printf 'sandbox: median %.1f ms per mutual-TLS request, nginx %.1f ms (ratio %s, target <= %s)\n' \
	"$(awk -v n="$ms" 'BEGIN {print n / 1e6}')" "$(awk -v n="$mn" 'BEGIN {print n / 1e6}')" "$ratio" "$MAX_RATIO"
echo "sandbox: first start with a new PKI $start_ms ms (target <= $MAX_START_MS), RSS after $RUNS requests $((rss / 1024)) MB (target <= $((MAX_RSS_KB / 1024)))"
# No secret in the sandbox's log.
if grep -qF "$key" sandbox.log; then echo "the sandbox log shows the API key"; exit 1; fi
awk -v r="$ratio" -v m="$MAX_RATIO" 'BEGIN {exit !(r <= m)}' || { echo "too slow against nginx"; exit 1; }
[[ $start_ms -le $MAX_START_MS ]] || { echo "first start too slow"; exit 1; }
[[ $rss -le $MAX_RSS_KB ]] || { echo "RSS too high"; exit 1; }
