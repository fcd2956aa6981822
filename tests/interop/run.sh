#!/usr/bin/env bash
# Interop: python-libjuju (the reference Python client) drives our fake controller through
# the secret-backends lifecycle. Installs python-libjuju into target/interop-venv once.
# Then the opt-in real-controller test runs against the same standalone fake, named in a
# juju client store, so that test is known to work before anyone points it at a real one.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=target/interop-venv
if ! "$venv/bin/python" -c 'import juju' >/dev/null 2>&1; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'juju==3.6.1.3'
fi
cargo build --quiet --example fake_controller --features testing
work=$(mktemp -d)
fake_pid=""
cleanup() {
  [ -n "$fake_pid" ] && kill "$fake_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
target/debug/examples/fake_controller --juju-data "$work/store" >"$work/fake.json" 2>"$work/fake.log" &
fake_pid=$!
for _ in $(seq 1 100); do
  [ -s "$work/fake.json" ] && break
  kill -0 "$fake_pid" 2>/dev/null || { cat "$work/fake.log"; exit 1; }
  sleep 0.1
done
[ -s "$work/fake.json" ] || { echo "the fake controller did not start"; exit 1; }
# No juju client store: python-libjuju must manage with the explicit arguments alone.
export JUJU_DATA="$work/juju-data"
mkdir -p "$JUJU_DATA"
timeout 120 "$venv/bin/python" tests/interop/lifecycle.py "$work/fake.json"
JUJU_DATA="$work/store" JUJU_TEST_CONTROLLER=fake \
  cargo test --quiet --all-features --test real_controller -- --ignored
