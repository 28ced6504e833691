#!/usr/bin/env bash
# Compares `onramp watch` with blackbox_exporter probing the same mutual-TLS
# targets (paths of one nginx on loopback that requires a client
# certificate): CPU seconds per probe and peak RSS at 10, 100 and 500
# targets. Both are driven the same way, through /probe, by the same curl
# loop (4 at a time), so each probe is one new mutual-TLS connection and one
# HTTP request. onramp's probe also reads and checks the profile's files and
# names a cause; blackbox_exporter's reports a bool.
# Targets at 500: CPU per probe <= MAX_CPU_RATIO x blackbox's, peak RSS <=
# MAX_RSS_RATIO x. Builds nothing: uses $ONRAMP_BIN.
set -euo pipefail

: "${ONRAMP_BIN:?set ONRAMP_BIN to the onramp binary}"
SIZES=${SIZES:-"10 100 500"}
PROBES=${PROBES:-1000}       # probes per tool and size (whole rounds over the targets)
MAX_CPU_RATIO=${MAX_CPU_RATIO:-1.0}
MAX_RSS_RATIO=${MAX_RSS_RATIO:-2.0}
BLACKBOX=${BLACKBOX:-/usr/bin/prometheus-blackbox-exporter}
[[ -x $BLACKBOX ]] || { echo "blackbox_exporter is not installed (Debian: prometheus-blackbox-exporter)"; exit 1; }

# shellcheck source=lib/pki.sh
source "$(dirname "$0")/lib/pki.sh"
export ONRAMP_CONFIG_DIR="$work/config" ONRAMP_STORE=file ONRAMP_STORE_PASSPHRASE=bench-only NO_COLOR=1
tick=$(getconf CLK_TCK)
cpu_s() { awk -v t="$tick" '{printf "%.3f", ($14 + $15) / t}' "/proc/$1/stat"; }
hwm_kb() { awk '/VmHWM/ {print $2}' "/proc/$1/status"; }

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
    ssl_certificate $work/server.pem; ssl_certificate_key $work/server.key;
    ssl_client_certificate $work/ca.pem; ssl_verify_client on;
    location / { default_type application/json; return 200 '{"available":true}'; }
  }
}
EOF
/usr/sbin/nginx -p "$work" -c "$work/nginx.conf" &
pids="$pids $!"

cat >blackbox.yml <<EOF
modules:
  mtls:
    prober: http
    timeout: 10s
    http:
      valid_status_codes: [200]
      tls_config: {ca_file: $work/ca.pem, cert_file: $work/client.pem, key_file: $work/client.key}
EOF

wait_http() { for _ in $(seq 100); do curl -sf -o /dev/null "$1" && return 0; sleep 0.1; done; echo "$1 never answered"; return 1; }

# drive URLS_FILE: every URL, whole rounds, 4 at a time.
drive() {
	local rounds=$2
	for _ in $(seq "$rounds"); do cat "$1"; done |
		awk '{print "url = \"" $0 "\"\noutput = \"/dev/null\""}' | curl -s --no-progress-meter --parallel --parallel-max 4 -K - 2>/dev/null
}

printf '%-8s %-22s %-22s %-10s %-16s %-16s %s\n' targets "onramp CPU/probe" "blackbox CPU/probe" ratio "onramp peak RSS" "blackbox peak RSS" ratio
for n in $SIZES; do
	rounds=$(( (PROBES + n - 1) / n ))
	rm -rf "$ONRAMP_CONFIG_DIR"; mkdir -p "$ONRAMP_CONFIG_DIR/profiles"
	: >onramp.urls; : >blackbox.urls
	wport=$(free_port); bport=$(free_port)
	for i in $(seq "$n"); do
		printf 'url: https://localhost:%s/t%s\nauth: [mtls]\ncert: %s\nkey: %s\ncacert: %s\n' \
			"$nport" "$i" "$work/client.pem" "$work/client.key" "$work/ca.pem" >"$ONRAMP_CONFIG_DIR/profiles/t$i.yaml"
		echo "http://127.0.0.1:$wport/probe?profile=t$i" >>onramp.urls
		echo "http://127.0.0.1:$bport/probe?module=mtls&target=https://localhost:$nport/t$i" >>blackbox.urls
	done

	# onramp watch: Prometheus drives the schedule (its own rounds are a day
	# apart); the first round runs at start and is left out of the count.
	"$ONRAMP_BIN" watch --listen "127.0.0.1:$wport" --interval 24h --concurrency 4 </dev/null 2>watch.log &
	wpid=$!; pids="$pids $wpid"
	wait_http "http://127.0.0.1:$wport/metrics"
	for _ in $(seq 600); do
		curl -s "http://127.0.0.1:$wport/metrics" >metrics.txt
		[[ $(grep -c '^onramp_check_success{' metrics.txt) -ge $n ]] && break; sleep 0.1
	done
	curl -s "http://127.0.0.1:$wport/probe?profile=t1" >probe.txt
	grep -q '^onramp_check_success{profile="t1"} 1' probe.txt || { cat watch.log probe.txt; echo "onramp's probe of the mutual-TLS target failed"; exit 1; }
	c0=$(cpu_s "$wpid"); drive onramp.urls "$rounds"; c1=$(cpu_s "$wpid")
	o_cpu=$(awk -v a="$c0" -v b="$c1" -v p=$((rounds * n)) 'BEGIN {printf "%.6f", (b - a) / p}')
	o_rss=$(hwm_kb "$wpid")
	kill "$wpid"; wait "$wpid" 2>/dev/null || true

	"$BLACKBOX" --config.file=blackbox.yml --web.listen-address="127.0.0.1:$bport" 2>blackbox.log &
	bpid=$!; pids="$pids $bpid"
	wait_http "http://127.0.0.1:$bport/metrics"
	curl -s "http://127.0.0.1:$bport/probe?module=mtls&target=https://localhost:$nport/t1" >probe.txt
	grep -q '^probe_success 1' probe.txt || { cat blackbox.log probe.txt; echo "blackbox_exporter's probe of the mutual-TLS target failed"; exit 1; }
	c0=$(cpu_s "$bpid"); drive blackbox.urls "$rounds"; c1=$(cpu_s "$bpid")
	b_cpu=$(awk -v a="$c0" -v b="$c1" -v p=$((rounds * n)) 'BEGIN {printf "%.6f", (b - a) / p}')
	b_rss=$(hwm_kb "$bpid")
	kill "$bpid"; wait "$bpid" 2>/dev/null || true

	cpu_ratio=$(awk -v a="$o_cpu" -v b="$b_cpu" 'BEGIN {printf "%.2f", a / b}')
	rss_ratio=$(awk -v a="$o_rss" -v b="$b_rss" 'BEGIN {printf "%.2f", a / b}')
	printf '%-8s %-22s %-22s %-10s %-16s %-16s %s\n' "$n" "$(awk -v c="$o_cpu" 'BEGIN {printf "%.2f ms", c * 1000}')" \
		"$(awk -v c="$b_cpu" 'BEGIN {printf "%.2f ms", c * 1000}')" "$cpu_ratio" "$((o_rss / 1024)) MB" "$((b_rss / 1024)) MB" "$rss_ratio"
done
echo "targets at the largest size: CPU per probe ratio <= $MAX_CPU_RATIO, peak RSS ratio <= $MAX_RSS_RATIO"
awk -v r="$cpu_ratio" -v m="$MAX_CPU_RATIO" 'BEGIN {exit !(r <= m)}' || { echo "onramp watch uses more CPU per probe than blackbox_exporter"; exit 1; }
awk -v r="$rss_ratio" -v m="$MAX_RSS_RATIO" 'BEGIN {exit !(r <= m)}' || { echo "onramp watch's peak RSS is too high against blackbox_exporter"; exit 1; }
