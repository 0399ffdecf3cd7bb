# Sourced by the bench scripts (needs $root): a scratch folder $work, removed at exit with the
# servers; start_ocrserve FLAGS... starts a real ocrserve ($OCRSERVE_BINARY, else build/ocrserve) on
# a free loopback port (its output and access log in $work/out and $work/log), waits until it is
# ready and sets $pid and $url.
work=$(mktemp -d)
pid=
pids=()
trap '[ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT
start_ocrserve() {
  OMP_THREAD_LIMIT=1 "${OCRSERVE_BINARY:-$root/build/ocrserve}" serve --port 0 "$@" > "$work/out" 2> "$work/log" &
  pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
  url="http://127.0.0.1:$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$work/out")"
  for _ in $(seq 300); do curl -sf "$url/readyz" >/dev/null && break; sleep 0.1; done
}
