#!/usr/bin/env bash
# Installs what the project needs from outside npm, from Debian's packages:
#   python3-simpy3  the SimPy peer of the factory-des benchmark (bench/ only)
#   chromium        the browser the viewer's tests and benchmark drive (playwright-core)
#   fonts-dejavu-core  so the page's text renders in headless Chromium
#   mosquitto       the real MQTT broker the federated-learning and MQTT bridge tests
#                   start on a free loopback port (/usr/sbin/mosquitto; not as a service)
#   openssl         makes the throw-away site CA and certificates of the MQTT TLS tests
# Safe to run again: it installs only what is missing. Needs root (or sudo).
set -euo pipefail
need=()
python3 -c 'import simpy' 2>/dev/null || /usr/bin/python3 -c 'import simpy' 2>/dev/null || need+=(python3-simpy3)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
dpkg -s fonts-dejavu-core >/dev/null 2>&1 || need+=(fonts-dejavu-core)
[ -x /usr/sbin/mosquitto ] || need+=(mosquitto)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -eq 0 ]; then
  echo "system packages: all present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${need[@]}"
echo "system packages: installed ${need[*]}"
