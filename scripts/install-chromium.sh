#!/usr/bin/env bash
# Installs Debian's Chromium for the browser rows of `npm run test:runtimes` (chromium,
# chromium-seam), driven by playwright-core with executablePath /usr/bin/chromium; playwright's own
# browser download is not used. Needs root (apt-get). Does nothing when /usr/bin/chromium exists.
# Invoked by hand or by CI before the runtime tests: `bash scripts/install-chromium.sh`.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  /usr/bin/chromium --version
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends chromium
/usr/bin/chromium --version
