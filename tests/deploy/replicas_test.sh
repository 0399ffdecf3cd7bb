#!/usr/bin/env bash
# Acceptance test of deploy/nginx/ocrserve.conf: two real ocrserve replicas on free loopback ports
# behind Debian's nginx (run unprivileged, everything in a temporary directory), 200 general-text
# requests through nginx, 4 at a time. Phase 1 (100 requests) SIGKILLs one replica after 30
# answers; phase 2 (100 requests) restarts it, waits until nginx sends it traffic again, then
# SIGTERMs the other after 30 answers. Every request must get an answer within curl's --max-time:
# 200, or a clean JSON 502/503 from nginx; never a hang or a dropped connection. Both replicas
# must have served (their access logs), every X-Request-Id must be unique.
#
# usage: tests/deploy/replicas_test.sh [path/to/ocrserve]   (env: OCRSERVE_BINARY, NGINX)
# needs: nginx (Debian: nginx-light), curl, node (a free port), setpriv when run as root.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
binary=${1:-${OCRSERVE_BINARY:-$root/build/ocrserve}}
nginx=${NGINX:-$(command -v nginx || echo /usr/sbin/nginx)}
conf_src="$root/deploy/nginx/ocrserve.conf"
image="$root/tests/fixtures/sample_card.png"
per_phase=100
kill_after=30
parallel=4
max_time=60

fail() { echo "replicas_test: FAIL: $*" >&2; exit 1; }
[ -x "$binary" ] || fail "no ocrserve binary at $binary"
[ -x "$nginx" ] || fail "nginx not found: apt-get install nginx-light"
command -v curl >/dev/null || fail "curl not found"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ocrserve-replicas.XXXXXX")
declare -A pid=() port=()
nginx_pid=""
cleanup() {
  local p
  for p in "${pid[@]}" $nginx_pid; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pid[@]}" $nginx_pid; do wait "$p" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# ---- replicas ------------------------------------------------------------------------------
# start NAME [PORT]: `ocrserve serve` on PORT (0: any free port, read from its first line), its
# access log (stderr) appended to $tmp/NAME.log; waits for /readyz.
start() {
  local name=$1 want=${2:-0} line="" i
  : > "$tmp/$name.out"
  OMP_THREAD_LIMIT=1 "$binary" serve --host 127.0.0.1 --port "$want" --workers 1 --threads_per_request 1 \
    > "$tmp/$name.out" 2>> "$tmp/$name.log" &
  pid[$name]=$!
  for i in $(seq 1 200); do
    line=$(head -n1 "$tmp/$name.out")
    [ -n "$line" ] && break
    kill -0 "${pid[$name]}" 2>/dev/null || fail "replica $name exited: $(tail -n3 "$tmp/$name.log")"
    sleep 0.05
  done
  [[ $line =~ ^ocrserve\ listening\ on\ http://127\.0\.0\.1:([0-9]+)$ ]] || fail "replica $name: unexpected first line '$line'"
  port[$name]=${BASH_REMATCH[1]}
  for i in $(seq 1 600); do
    curl -sf --max-time 2 "http://127.0.0.1:${port[$name]}/readyz" >/dev/null && return 0
    sleep 0.1
  done
  fail "replica $name never became ready"
}
start a
start b
echo "replicas: a on ${port[a]} (pid ${pid[a]}), b on ${port[b]} (pid ${pid[b]})"

# ---- nginx ------------------------------------------------------------------------------------
nginx_port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
mkdir -p "$tmp/nginx/logs" "$tmp/nginx/temp"
# The deployed file, with this run's ports, listen address and log path.
sed -e "s/127\.0\.0\.1:8081/127.0.0.1:${port[a]}/" -e "s/127\.0\.0\.1:8082/127.0.0.1:${port[b]}/" \
    -e "s/^\(\s*\)listen 80;/\1listen 127.0.0.1:${nginx_port};/" \
    -e "s#/var/log/nginx/ocrserve.access.log#$tmp/nginx/logs/access.log#" \
    "$conf_src" > "$tmp/nginx/ocrserve.conf"
grep -q "127.0.0.1:${port[a]} " "$tmp/nginx/ocrserve.conf" && grep -q "listen 127.0.0.1:${nginx_port};" "$tmp/nginx/ocrserve.conf" \
  || fail "could not substitute ports in $conf_src"
cat > "$tmp/nginx/nginx.conf" <<EOF
worker_processes 1;
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/logs/error.log warn;
events { worker_connections 256; }
http {
    default_type application/octet-stream;
    client_body_temp_path $tmp/nginx/temp/body;
    proxy_temp_path $tmp/nginx/temp/proxy;
    fastcgi_temp_path $tmp/nginx/temp/fastcgi;
    uwsgi_temp_path $tmp/nginx/temp/uwsgi;
    scgi_temp_path $tmp/nginx/temp/scgi;
    include $tmp/nginx/ocrserve.conf;
}
EOF
# Unprivileged: as root, drop to nobody (which then owns the nginx directory).
as_user=()
if [ "$(id -u)" -eq 0 ]; then
  chmod 755 "$tmp"
  chown -R nobody:nogroup "$tmp/nginx"
  as_user=(setpriv --reuid=nobody --regid=nogroup --clear-groups --)
fi
nginx_cmd=("${as_user[@]}" "$nginx" -p "$tmp/nginx" -e "$tmp/nginx/logs/error.log" -c "$tmp/nginx/nginx.conf")
"${nginx_cmd[@]}" -t -q || fail "nginx -t refused the configuration"
"${nginx_cmd[@]}" -g 'daemon off;' &
nginx_pid=$!
for i in $(seq 1 100); do
  curl -s --max-time 2 -o /dev/null "http://127.0.0.1:$nginx_port/healthz" && break
  kill -0 "$nginx_pid" 2>/dev/null || fail "nginx exited: $(cat "$tmp/nginx/logs/error.log")"
  sleep 0.05
done
echo "nginx on $nginx_port (pid $nginx_pid)"

# ---- load -------------------------------------------------------------------------------------
printf '{"image":"%s"}' "$(base64 -w0 "$image")" > "$tmp/body.json"
url="http://127.0.0.1:$nginx_port/v2/0123456789abcdef0123456789abcdef/ocr/general-text"
export url max_time tmp
# One request -> one line: phase seq http_code curl_exit content_type x_request_id seconds
one() {
  local out rc=0 code type id secs
  out=$(curl -s -o "$tmp/resp.$1.$2" --max-time "$max_time" -X POST -H 'Content-Type: application/json' \
        --data-binary @"$tmp/body.json" -w '%{http_code}|%{content_type}|%header{x-request-id}|%{time_total}' "$url") || rc=$?
  IFS='|' read -r code type id secs <<< "$out"
  echo "$1 $2 ${code:-000} $rc ${type:--} ${id:--} ${secs:--}" >> "$tmp/results"
}
export -f one
: > "$tmp/results"

# phase NAME VICTIM SIGNAL: 100 requests; VICTIM gets SIGNAL once 30 of them have been answered.
phase() {
  local name=$1 victim=$2 signal=$3 loader answered
  seq 1 "$per_phase" | xargs -P "$parallel" -I{} bash -c "one $name {}" &
  loader=$!
  while :; do
    answered=$(grep -c "^$name " "$tmp/results" || true)
    [ "$answered" -ge "$kill_after" ] && break
    kill -0 "$loader" 2>/dev/null || break
    sleep 0.05
  done
  echo "phase $name: $signal to replica $victim (pid ${pid[$victim]}) after $answered answers"
  kill "-$signal" "${pid[$victim]}"
  wait "$loader" || true
  wait "${pid[$victim]}" 2>/dev/null || true
}

served_by() { grep -c '"api":"general-text".*"status":200' "$tmp/$1.log" || true; }

phase kill a KILL
served_a_1=$(served_by a); served_b_1=$(served_by b)

# Bring a back on its port; nginx may have marked it down (fail_timeout 10 s): wait until it
# serves again before the second phase, so that b's SIGTERM leaves a as the survivor.
start a "${port[a]}"
for i in $(seq 1 40); do
  curl -s --max-time "$max_time" -o /dev/null -X POST -H 'Content-Type: application/json' --data-binary @"$tmp/body.json" "$url" || true
  [ "$(served_by a)" -gt "$served_a_1" ] && break
  sleep 0.5
done
[ "$(served_by a)" -gt "$served_a_1" ] || fail "the restarted replica a never got traffic back from nginx"
phase term b TERM
# SIGTERM drains: in-flight requests are answered and the process exits 0 (wait in phase() reaped it).

# ---- verdict ------------------------------------------------------------------------------------
status=0
report() { # phase
  local p=$1 total ok e502 e503 other hung
  total=$(grep -c "^$p " "$tmp/results" || true)
  ok=$(awk -v p="$p" '$1 == p && $3 == 200' "$tmp/results" | wc -l)
  e502=$(awk -v p="$p" '$1 == p && $3 == 502' "$tmp/results" | wc -l)
  e503=$(awk -v p="$p" '$1 == p && $3 == 503' "$tmp/results" | wc -l)
  hung=$(awk -v p="$p" '$1 == p && $4 != 0' "$tmp/results" | wc -l)
  other=$(awk -v p="$p" '$1 == p && $4 == 0 && $3 != 200 && $3 != 502 && $3 != 503' "$tmp/results" | wc -l)
  echo "phase $p: $total requests: $ok x 200, $e502 x 502, $e503 x 503, $other other, $hung without an answer (curl error or timeout)"
  [ "$total" -eq "$per_phase" ] || { echo "  FAIL: $total of $per_phase requests recorded"; status=1; }
  [ "$hung" -eq 0 ] || { echo "  FAIL: requests without an answer:"; awk -v p="$p" '$1 == p && $4 != 0' "$tmp/results" | head; status=1; }
  [ "$other" -eq 0 ] || { echo "  FAIL: unexpected statuses:"; awk -v p="$p" '$1 == p && $4 == 0 && $3 != 200 && $3 != 502 && $3 != 503' "$tmp/results" | head; status=1; }
  # 502/503 must be nginx's JSON (or a replica's own 503 JSON), not an HTML page or an empty body.
  awk -v p="$p" '$1 == p && ($3 == 502 || $3 == 503) {print $2}' "$tmp/results" | while read -r seq; do
    grep -q '"error_code"' "$tmp/resp.$p.$seq" || { echo "  FAIL: $p #$seq: $(head -c 200 "$tmp/resp.$p.$seq")"; exit 1; }
  done || status=1
  [ "$ok" -ge $((per_phase / 2)) ] || { echo "  FAIL: fewer than half the requests answered 200: failover is not working"; status=1; }
}
report kill
report term

echo "replica access logs: phase kill: a served $served_a_1, b served $served_b_1; whole run: a $(served_by a), b $(served_by b) (200s, both lives of a)"
[ "$served_a_1" -gt 0 ] && [ "$served_b_1" -gt 0 ] || { echo "  FAIL: both replicas must serve before the kill"; status=1; }
retried=$(grep -c 'upstream=[^ ]*, ' "$tmp/nginx/logs/access.log" || true)
echo "nginx: $retried requests were sent to a second replica (proxy_next_upstream)"

ids=$(awk '$4 == 0 {print $6}' "$tmp/results")
n_ids=$(echo "$ids" | grep -c . || true)
n_unique=$(echo "$ids" | sort -u | grep -c . || true)
n_hex=$(echo "$ids" | grep -cE '^[0-9a-f]{32}$' || true)
echo "X-Request-Id: $n_ids answers, $n_unique distinct, $n_hex in ocrserve's 32-hex form"
[ "$n_ids" -eq "$n_unique" ] || { echo "  FAIL: X-Request-Id repeated"; status=1; }
[ "$n_ids" -eq $((2 * per_phase)) ] || { echo "  FAIL: answers without X-Request-Id"; status=1; }

times=$(awk '$4 == 0 {print $7}' "$tmp/results" | sort -n)
echo "latency through nginx: p50 $(echo "$times" | awk '{a[NR]=$1} END {print a[int(NR*0.5)+1]}') s, max $(echo "$times" | tail -n1) s"

if [ "$status" -eq 0 ]; then echo "replicas_test: PASS"; else echo "replicas_test: FAIL"; fi
exit "$status"
