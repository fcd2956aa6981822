#!/usr/bin/env bash
# Interop: python-libjuju (the reference Python client) drives our fake controller through
# the secret-backends lifecycle (and, against 3.6.26, its models: list_models, get_model,
# a model's secret-backend config), with the fake as Juju 3.6.26 and as Juju 3.2.4 (which
# restricts clients of another major version; python-libjuju claims 3.6.1.3, so it must be
# served). It also manages user secrets (user_secrets.py) with the fake as 3.6.26 and 4.0.14:
# python-libjuju refuses a major-4 server at connect, which user_secrets.py asserts before it
# drives the same Model methods over a connection opened below that check.
# Installs python-libjuju into target/interop-venv once. Then the opt-in real-controller
# test runs against the standalone 3.6.26 fake, named in a juju client store, so that test is
# known to work before anyone points it at a real one.
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

# Starts the standalone fake as Juju $1, with a client store in $work/store-$1.
start_fake() {
  target/debug/examples/fake_controller --juju-version "$1" --juju-data "$work/store-$1" \
    >"$work/fake-$1.json" 2>"$work/fake-$1.log" &
  fake_pid=$!
  for _ in $(seq 1 100); do
    [ -s "$work/fake-$1.json" ] && return 0
    kill -0 "$fake_pid" 2>/dev/null || { cat "$work/fake-$1.log"; exit 1; }
    sleep 0.1
  done
  echo "the fake controller (Juju $1) did not start"
  exit 1
}

# python-libjuju manages user secrets on the fake as Juju $1. Its tasks print tracebacks of
# their own on stderr when a model connection closes: keep them for a failure.
run_secrets() {
  echo "python-libjuju adds, lists, updates, grants, revokes and removes secrets (Juju $1)"
  timeout 120 "$venv/bin/python" tests/interop/user_secrets.py "$work/fake-$1.json" "$1" \
    2>"$work/secrets-$1.log" || { cat "$work/secrets-$1.log"; exit 1; }
}

# No juju client store: python-libjuju must manage with the explicit arguments alone.
export JUJU_DATA="$work/juju-data"
mkdir -p "$JUJU_DATA"
for version in 3.2.4 3.6.26; do
  start_fake "$version"
  echo "python-libjuju against the fake as Juju $version"
  timeout 120 "$venv/bin/python" tests/interop/lifecycle.py "$work/fake-$version.json"
  if [ "$version" = 3.6.26 ]; then
    # Before models.py, which points admin/default at another secret backend.
    run_secrets "$version"
    echo "python-libjuju lists and opens models, and sets a model's secret backend"
    timeout 120 "$venv/bin/python" tests/interop/models.py "$work/fake-$version.json"
  fi
  if [ "$version" = 3.2.4 ]; then
    echo "python-libjuju claiming other client versions against Juju $version"
    # Its pinger tasks print the refusals they meet as tracebacks: keep them for a failure.
    timeout 120 "$venv/bin/python" tests/interop/restricted.py "$work/fake-$version.json" \
      2>"$work/restricted.log" || { cat "$work/restricted.log"; exit 1; }
  fi
  if [ "$version" = 3.6.26 ]; then
    echo "python-libjuju logs in with macaroons (discharge, juju_userpass, its jar)"
    timeout 120 "$venv/bin/python" tests/interop/macaroons.py "$work/fake-$version.json" "$work"
    echo "our SDK logs in with the jar python-libjuju wrote (no prompt possible)"
    # The CLI example as a user builds it for a real controller: default features, so no
    # rcgen and no fake; --fake must then say how to get the fake.
    cargo build --quiet --example secret_backends
    if cargo tree -e normal,dev -i rcgen >/dev/null 2>&1; then
      echo "rcgen is in the default build of the examples"; exit 1
    fi
    rc=0; target/debug/examples/secret_backends --fake list 2>"$work/nofake.err" || rc=$?
    if [ "$rc" != 2 ] || ! grep -qF -- '--features testing' "$work/nofake.err"; then
      echo "secret_backends --fake without the testing feature: exit $rc"; cat "$work/nofake.err"; exit 1
    fi
    JUJU_DATA="$work/python-store" timeout 60 target/debug/examples/secret_backends \
      models --format json </dev/null
    echo "our SDK discharges with a password, and python-libjuju logs in with the jar we wrote"
    mkdir -p "$work/rust-store"
    sed -e 's/public-hostname: localhost/public-hostname: 127.0.0.1/' \
      -e "s/'localhost:/'127.0.0.1:/" "$work/python-store/controllers.yaml" \
      >"$work/rust-store/controllers.yaml"
    cp "$work/python-store/accounts.yaml" "$work/rust-store/"
    echo bob-password | JUJU_DATA="$work/rust-store" timeout 60 \
      target/debug/examples/secret_backends models --format json
    timeout 120 "$venv/bin/python" tests/interop/macaroons.py "$work/fake-$version.json" \
      rust-jar "$work/rust-store/cookies/fake.json"
    JUJU_DATA="$work/store-$version" JUJU_TEST_CONTROLLER=fake \
      cargo test --quiet --all-features --test real_controller -- --ignored
  fi
  kill "$fake_pid" 2>/dev/null || true
  wait "$fake_pid" 2>/dev/null || true
  fake_pid=""
done

# Juju 4.0: only the secrets script (python-libjuju refuses the rest against a major-4 server).
start_fake 4.0.14
run_secrets 4.0.14
kill "$fake_pid" 2>/dev/null || true
wait "$fake_pid" 2>/dev/null || true
fake_pid=""
