#!/usr/bin/env bash
# bench/http: wrk against one API (general-text by default) on a real ocrserve (loopback), then
# checks that the process is alive, every response was 200 or 429 and RSS came back.
#   bench/http.sh [--duration SECONDS (60)] [--connections N (16)] [--image FILE] [--api NAME]
#                 [--synth-permit TYPE/SIDE/photo|clean/SEED] [-- SERVER FLAGS...]
# Latency of one caller with two threads per recognition, on a photographed permit:
#   bench/http.sh --api exit-entry-permit --synth-permit exit-entry-hkmo/front/photo/7 --connections 1 \
#     -- --workers 1 --threads_per_request 2
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
duration=60 connections=16 image="$root/tests/fixtures/sample_card.png" api=general-text permit=""
server_flags=()
while [ $# -gt 0 ]; do
  case $1 in
    --duration) duration=$2; shift 2 ;;
    --connections) connections=$2; shift 2 ;;
    --image) image=$2; shift 2 ;;
    --api) api=$2; shift 2 ;;
    --synth-permit) permit=$2; shift 2 ;;
    --) shift; server_flags=("$@"); break ;;
    *) echo "unknown flag $1" >&2; exit 2 ;;
  esac
done
. "$root/bench/loopback.sh"  # $work, start_ocrserve
if [ -n "$permit" ]; then  # type/side/photo|clean/seed, rendered by the synth CLI
  IFS=/ read -r p_type p_side p_cond p_seed <<< "$permit"
  flags=(--permit "$p_type" --side "$p_side" --count 1 --seed "$p_seed" --format jpg --out "$work/permit")
  [ "$p_cond" = photo ] && flags+=(--photo)
  "$root/build/synth" "${flags[@]}" > /dev/null
  image=$(ls "$work"/permit/*.jpg | head -1)
fi
printf '{"image":"%s"}' "$(base64 -w0 "$image")" > "$work/body.json"

start_ocrserve "${server_flags[@]}"
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
# Warm up at the same concurrency (the arenas of ONNX Runtime and malloc grow to the peak of
# concurrent work once), then the pre-load figure.
OCRSERVE_BODY="$work/body.json" wrk -t"$(( connections < 2 ? 1 : 2 ))" -c"$connections" -d5s --timeout 30s \
  -s "$root/bench/http_post.lua" "$url/v2/bench/ocr/$api" > /dev/null 2>&1 || true
idle() { curl -sf "$url/metrics" | grep -Eq '^ocrserve_in_flight_requests 0$'; }
for _ in $(seq 600); do idle && break; sleep 0.1; done  # the warm-up's last requests still run
sleep 2  # a pool idle for a second hands freed memory back (malloc_trim)
before=$(rss)
OCRSERVE_BODY="$work/body.json" wrk -t"$(( connections < 2 ? 1 : 2 ))" -c"$connections" -d"${duration}s" --timeout 30s --latency \
  -s "$root/bench/http_post.lua" "$url/v2/bench/ocr/$api" > "$work/wrk" 2>&1 || true
for _ in $(seq 600); do idle && break; sleep 0.1; done
sleep 2
after=$(rss)
alive=yes; kill -0 $pid 2>/dev/null || alive=no
result=$(grep RESULT "$work/wrk" || echo "RESULT none")
non2xx=$(sed -n 's/.*Non-2xx or 3xx responses: *\([0-9]*\).*/\1/p' "$work/wrk"); non2xx=${non2xx:-0}
rejected=$(grep -c '"status":429' "$work/log" || true)
# 499: work whose client had gone (wrk closes its connections at the end of each run) is dropped
# before it runs, by design.
gone=$(grep -c '"status":499' "$work/log" || true)
other=$(grep "\"api\":\"$api\"" "$work/log" | grep -v '"status":200' | grep -v '"status":499' | grep -vc '"status":429' || true)
echo
echo "| image | connections | $(echo "$result" | sed 's/RESULT //; s/=[^ ]*//g; s/ / | /g') | non-2xx | of which 429 | RSS before | RSS after | alive |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
echo "| $(basename "$image") | $connections | $(echo "$result" | sed 's/RESULT //; s/[a-z0-9_]*=//g; s/ / | /g') | $non2xx | $rejected | $((before / 1024)) MB | $((after / 1024)) MB | $alive |"
growth=$(( (after - before) * 100 / before ))
echo "RSS growth: ${growth}%; work dropped because its client had gone (499): $gone"
[ "$alive" = yes ] || { echo "FAIL: the server died" >&2; exit 1; }
[ "$other" -eq 0 ] || { echo "FAIL: $other responses were neither 200 nor 429" >&2; exit 1; }
# The idle server is small (~120 MB), so a few MB of allocator noise is several percent: a growth
# fails when it is both above 10% and above 32 MB.
[ "$growth" -le 10 ] || [ $(( (after - before) / 1024 )) -le 32 ] ||
  { echo "FAIL: RSS grew by ${growth}% ($(( (after - before) / 1024 )) MB; limit 10% or 32 MB)" >&2; exit 1; }
