# Sourced by bench scripts: the work directory and certificates of pki.sh,
# and a healthy mutual-TLS endpoint (openssl s_server -www -Verify 1) at
# $url.

# shellcheck source=pki.sh
source "$(dirname "${BASH_SOURCE[0]}")/pki.sh"

port=$(free_port)
openssl s_server -quiet -www -accept "127.0.0.1:$port" -cert server.pem -key server.key \
	-CAfile ca.pem -Verify 1 >server.log 2>&1 &
pids="$pids $!"
url="https://127.0.0.1:$port/"
for _ in $(seq 50); do
	curl -s -o /dev/null --cacert ca.pem --cert client.pem --key client.key "$url" && break
	sleep 0.1
done
