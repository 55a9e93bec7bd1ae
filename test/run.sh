#!/bin/bash
# The whole test suite, from a fresh clone on a Debian machine, in one command:
#   bash test/run.sh
# 1. installs the Debian packages the tests run for real (promtool and prometheus from
#    "prometheus", "prometheus-node-exporter", "prometheus-alertmanager" with amtool,
#    "victoria-metrics" with vmalert (the central store of the fleet tests), "shellcheck", "strace"
#    (what the atomic write asks of the kernel);
#    systemd for systemd-analyze;
#    qemu-user and the arm64/armhf C libraries to run ARM builds of Node; lintian, mmdebstrap and
#    systemd-container to check the Debian package and boot it under a real systemd), with
#    apt-get as root (or through sudo);
# 2. installs the npm packages (npm ci), fetches the Node builds of test/platforms.json,
#    type-checks, builds the program and the tests;
# 3. runs every test with node's test runner (the suite needs Node 20 or newer; the program itself
#    is run under each Node of test/platforms.json, 18.17 included).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v prometheus-node-exporter >/dev/null 2>&1 || missing+=(prometheus-node-exporter)
command -v prometheus-alertmanager >/dev/null 2>&1 || missing+=(prometheus-alertmanager)
command -v victoria-metrics >/dev/null 2>&1 || missing+=(victoria-metrics)
command -v shellcheck >/dev/null 2>&1 || missing+=(shellcheck)
command -v strace >/dev/null 2>&1 || missing+=(strace)
command -v systemd-analyze >/dev/null 2>&1 || missing+=(systemd)
command -v qemu-aarch64 >/dev/null 2>&1 || missing+=(qemu-user)
command -v lintian >/dev/null 2>&1 || missing+=(lintian)
command -v mmdebstrap >/dev/null 2>&1 || missing+=(mmdebstrap)
command -v systemd-nspawn >/dev/null 2>&1 || missing+=(systemd-container)
[ -e /usr/aarch64-linux-gnu/lib/libstdc++.so.6 ] || missing+=(libc6-arm64-cross libstdc++6-arm64-cross)
[ -e /usr/arm-linux-gnueabihf/lib/libatomic.so.1 ] || missing+=(libc6-armhf-cross libstdc++6-armhf-cross libatomic1-armhf-cross)
if [ "${#missing[@]}" -gt 0 ]; then
  sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  echo "test/run.sh: installing Debian packages: ${missing[*]}"
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund --loglevel=error
node test/fetch-nodes.mjs
npm run --silent typecheck
npm run --silent build:tests
node --test --test-concurrency=2 build/test/*.test.js build/test/collectors/*.test.js
