#!/usr/bin/env bash
# Speed of keys and certificates, side by side with OpenSSL:
#  1. RSA-4096 key generation: `onramp keygen` vs `openssl genpkey`,
#     alternating, RUNS each (default 15), median ratio (target <= 1.2).
#     RSA keygen time varies a lot from run to run (prime search), so
#     medians, alternated, on the same machine at the same time.
#  2. `onramp inspect` of a 200-certificate CA bundle (target < 50 ms,
#     median wall time of the whole process).
# Exits 1 when the inspect target is missed, or the keygen ratio is above
# 1.2 and BENCH_STRICT=1 (on a shared machine keygen medians still wobble).
set -euo pipefail

RUNS=${RUNS:-15}
BUNDLE_CERTS=${BUNDLE_CERTS:-200}
here=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

bin=${ONRAMP_BIN:-}
if [[ -z "$bin" ]]; then
  bin="$work/onramp"
  (cd "$here" && go build -o "$bin" ./cmd/onramp)
fi

now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }
ms() { awk -v ns="$1" 'BEGIN {printf "%.1f", ns/1e6}'; }

echo "RSA-4096 keygen: $RUNS runs each, alternating"
: >"$work/onramp.ns"; : >"$work/openssl.ns"
for i in $(seq 1 "$RUNS"); do
  t0=$(now_ns)
  "$bin" keygen --out "$work/k$i" --name bench --bits 4096 >/dev/null
  t1=$(now_ns)
  openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out "$work/o$i.key" 2>/dev/null
  t2=$(now_ns)
  echo $((t1 - t0)) >>"$work/onramp.ns"
  echo $((t2 - t1)) >>"$work/openssl.ns"
done
on=$(median <"$work/onramp.ns"); os=$(median <"$work/openssl.ns")
ratio=$(awk -v a="$on" -v b="$os" 'BEGIN {printf "%.2f", a/b}')
echo "  onramp keygen   median $(ms "$on") ms"
echo "  openssl genpkey median $(ms "$os") ms"
keygen_ok=$(awk -v r="$ratio" 'BEGIN {print (r <= 1.2) ? "yes" : "no"}')
echo "  ratio $ratio (target <= 1.2): $([[ $keygen_ok == yes ]] && echo met || echo MISSED)"

echo "inspect of a $BUNDLE_CERTS-certificate CA bundle"
for i in $(seq 1 "$BUNDLE_CERTS"); do
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout /dev/null \
    -subj "/O=Bench/CN=Bench Root CA $i" -days 3650 2>/dev/null
done >"$work/bundle.pem"
n=$(grep -c 'BEGIN CERTIFICATE' "$work/bundle.pem")
"$bin" inspect "$work/bundle.pem" >"$work/inspect.txt"; head -1 "$work/inspect.txt"
: >"$work/inspect.ns"
for i in $(seq 1 "$RUNS"); do
  t0=$(now_ns); "$bin" inspect "$work/bundle.pem" >/dev/null; t1=$(now_ns)
  echo $((t1 - t0)) >>"$work/inspect.ns"
done
: >"$work/openssl-x509.ns"
for i in $(seq 1 "$RUNS"); do
  t0=$(now_ns); openssl crl2pkcs7 -nocrl -certfile "$work/bundle.pem" | openssl pkcs7 -print_certs -noout >/dev/null; t1=$(now_ns)
  echo $((t1 - t0)) >>"$work/openssl-x509.ns"
done
in=$(median <"$work/inspect.ns"); ox=$(median <"$work/openssl-x509.ns")
inspect_ok=$(awk -v a="$in" 'BEGIN {print (a < 50e6) ? "yes" : "no"}')
echo "  onramp inspect ($n certs)            median $(ms "$in") ms (target < 50 ms): $([[ $inspect_ok == yes ]] && echo met || echo MISSED)"
echo "  openssl pkcs7 -print_certs (reference) median $(ms "$ox") ms"

[[ $inspect_ok == yes ]] || exit 1
if [[ ${BENCH_STRICT:-0} == 1 && $keygen_ok != yes ]]; then exit 1; fi
