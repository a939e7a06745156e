# Shared by the shell scripts that serve the app with a daemonized gunicorn.

# stop_and_clean WORKDIR: stop the gunicorn whose pid is in WORKDIR/pid, wait
# until it has exited (its workers may still be writing logs or a SQLite
# journal there), then remove WORKDIR. Used as the scripts' EXIT trap.
stop_and_clean() {
  local work=$1 pid
  pid=$(cat "$work/pid" 2>/dev/null || true)
  if [ -n "$pid" ]; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -rf "$work" || true
}
