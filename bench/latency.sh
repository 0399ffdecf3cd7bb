#!/usr/bin/env bash
# bench/latency: one caller, one request at a time, through HTTP, over many different photographed
# documents (bench/http.sh repeats a single image). Renders the documents with the synth CLI, starts
# a real ocrserve on loopback, sends every image once to warm up, then --rounds times in a fixed
# order, and prints p50 / p95 / max of the client-side time per request (curl's time_total).
#   bench/latency.sh [--kind permits|passports] [--count N (4)] [--rounds R (3)] [--seed S (20261122)]
#                    [--against BINARY] [-- SERVER FLAGS...]
# The issue-4 figure: photographed permits, 4 types x 2 sides x 4 seeds, 2 threads for the request:
#   bench/latency.sh --kind permits -- --workers 1 --threads_per_request 2
# --against BINARY: a second server (another build of ocrserve, same flags) gets every request too,
# right after or before this one's (the order alternating), and the paired differences are printed:
# on a VM whose speed drifts by 20% within minutes, two separate runs cannot tell a 5% change.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
kind=permits count=4 rounds=3 seed=20261122 against=
server_flags=()
while [ $# -gt 0 ]; do
  case $1 in
    --kind) kind=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --against) against=$2; shift 2 ;;
    --) shift; server_flags=("$@"); break ;;
    *) echo "unknown flag $1" >&2; exit 2 ;;
  esac
done
. "$root/bench/loopback.sh"  # $work, start_ocrserve

# One JSON body per image, with the API it goes to.
bodies=() apis=()
add_images() {  # api, synth flags...
  local api=$1; shift
  local dir="$work/img$((${#bodies[@]}))"
  "$root/build/synth" "$@" --photo --count "$count" --seed "$seed" --format jpg --out "$dir" > /dev/null
  for image in "$dir"/*.jpg; do
    local body="$work/body${#bodies[@]}.json"
    printf '{"image":"%s"}' "$(base64 -w0 "$image")" > "$body"
    bodies+=("$body")
    apis+=("$api")
  done
}
case $kind in
  permits)
    for type in exit-entry-hkmo exit-entry-tw mainland-hkmo mainland-tw; do
      api=exit-entry-permit
      [[ $type == mainland-* ]] && api=mainland-travel-permit
      for side in front back; do add_images "$api" --permit "$type" --side "$side"; done
    done ;;
  passports)
    for country in chn foreign; do add_images passport --passport "$country"; done ;;
  *) echo "--kind is permits or passports" >&2; exit 2 ;;
esac

if [ -n "$against" ]; then
  OCRSERVE_BINARY=$against start_ocrserve "${server_flags[@]}"
  other_url=$url other_pid=$pid
  mv "$work/out" "$work/out_against"
  mv "$work/log" "$work/log_against"
fi
start_ocrserve "${server_flags[@]}"

post() {  # url index -> "status seconds"
  curl -s -o /dev/null -w '%{http_code} %{time_total}\n' -H 'Content-Type: application/json' \
    --data-binary "@${bodies[$2]}" "$1/v2/bench/ocr/${apis[$2]}"
}
: > "$work/times"
: > "$work/times_against"
for i in "${!bodies[@]}"; do  # warm-up
  post "$url" "$i" > /dev/null
  [ -z "$against" ] || post "$other_url" "$i" > /dev/null
done
for r in $(seq "$rounds"); do
  for i in "${!bodies[@]}"; do
    if [ -z "$against" ]; then
      post "$url" "$i" >> "$work/times"
    elif [ $(((r + i) % 2)) = 0 ]; then
      post "$url" "$i" >> "$work/times"
      post "$other_url" "$i" >> "$work/times_against"
    else
      post "$other_url" "$i" >> "$work/times_against"
      post "$url" "$i" >> "$work/times"
    fi
  done
done
kill -0 $pid 2>/dev/null || { echo "FAIL: the server died" >&2; exit 1; }
[ -z "$against" ] || kill -0 $other_pid 2>/dev/null || { echo "FAIL: the --against server died" >&2; exit 1; }

row() {  # label times-file -> a table row; fails when a request was not answered 200
  sort -k2 -g "$2" | awk -v label="$1" -v images="${#bodies[@]}" '
    { t[NR] = $2 * 1000; if ($1 != 200) bad++ }
    END {
      p50 = t[int((NR + 1) * 0.50)]; p95 = t[int(NR * 0.95 + 0.5)]
      printf "| %s | %d | %d | %d | %.0f | %.0f | %.0f |\n", label, images, NR, bad, p50, p95, t[NR]
      exit bad > 0
    }'
}
echo "| documents | images | requests | not 200 | p50 ms | p95 ms | max ms |"
echo "|---|---|---|---|---|---|---|"
status=0
row "$kind, photographed" "$work/times" || status=1
if [ -n "$against" ]; then
  row "$kind, photographed ($against)" "$work/times_against" || status=1
  # Per request: this build's time minus the other's, sent back to back.
  paste -d' ' "$work/times" "$work/times_against" | awk '{ print ($2 - $4) * 1000 }' | sort -g | awk '
    { d[NR] = $1; sum += $1; if ($1 < 0) faster++ }
    END {
      printf "\npaired (this build - the other), %d requests: median %+.1f ms, mean %+.1f ms; this build faster in %d\n",
        NR, d[int((NR + 1) / 2)], sum / NR, faster
    }'
fi
exit $status
