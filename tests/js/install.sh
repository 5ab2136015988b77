#!/usr/bin/env bash
# Install TensorFlow.js 4.22.0 (pure JS, CPU backend) into <repo>/.tfjs for the tests that load
# lstmkit's model files in real TF.js (tests/test_io_tfjs_node.py). Does nothing if present.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
prefix="$repo/.tfjs"
version="4.22.0"
pkg="$prefix/node_modules/@tensorflow/tfjs/package.json"
if [ -f "$pkg" ] && node -e "process.exit(require('$pkg').version === '$version' ? 0 : 1)"; then
  exit 0
fi
npm install --no-audit --no-fund --save-exact --loglevel=error --prefix "$prefix" \
  "@tensorflow/tfjs@$version"
