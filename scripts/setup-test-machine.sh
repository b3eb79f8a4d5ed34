#!/usr/bin/env bash
# Prepares a fresh Debian machine for `npm test`: the real servers and clients
# the tests start (from Debian's packages), then the npm dependencies.
set -euo pipefail
cd "$(dirname "$0")/.."

debian_packages=()
command -v mosquitto_pub >/dev/null || debian_packages+=(mosquitto-clients)
[ -x /usr/bin/chromium ] || debian_packages+=(chromium)
fc-list 2>/dev/null | grep -qi 'noto\|dejavu' || debian_packages+=(fonts-dejavu-core)
command -v mosquitto >/dev/null || debian_packages+=(mosquitto)
# The Paho interop tests run Debian's own interpreter (a pyenv python3 on PATH has no paho).
/usr/bin/python3 -c 'import paho.mqtt' 2>/dev/null || debian_packages+=(python3-paho-mqtt)
command -v openssl >/dev/null || debian_packages+=(openssl)
command -v influxd >/dev/null || debian_packages+=(influxdb)
command -v victoria-metrics >/dev/null || debian_packages+=(victoria-metrics)
command -v redis-server >/dev/null || debian_packages+=(redis-server)

if [ ${#debian_packages[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing Debian packages: ${debian_packages[*]}"
  $sudo apt-get update
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends "${debian_packages[@]}"
fi

npm ci --no-audit --no-fund
