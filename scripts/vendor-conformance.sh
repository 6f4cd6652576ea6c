#!/usr/bin/env bash
# Copies the official AWS conformance data the tests run from a checkout of the shared data
# (default: ../shared/conformance) into test/conformance/data, with its licences and notices.
# Run it again after the shared data is refreshed; review the diff; commit.
set -euo pipefail
cd "$(dirname "$0")/.."
from="${1:-../shared/conformance}"
to=test/conformance/data
used=(
  LICENSES
  README.md
  config
  credentials/smithy-rs-aws-config
  endpoints/services
  endpoints/rules-engine-botocore
  eventstream/aws-sdk-go-v1
  misc/jmespath-compliance
  misc/smithy-rs
  protocol/botocore
  sigv4/botocore-aws4_testsuite
)
rm -rf "$to"
for p in "${used[@]}"; do
  mkdir -p "$to/$(dirname "$p")"
  cp -R "$from/$p" "$to/$p"
done
chmod -R u+w "$to"
cat > "$to/VENDORED.md" <<NOTE
# Vendored conformance data

A copy of the parts of the official AWS conformance data that \`npm test\` runs, made by
\`scripts/vendor-conformance.sh\` from the project's shared data (\`README.md\` here says where each
suite comes from, at which commit, under which licence; the licences and notices are in \`LICENSES/\`).
Not edited by hand: refresh it with the script and review the diff.
NOTE
echo "vendored $(find "$to" -type f | wc -l) files ($(du -sh "$to" | cut -f1)) from $from into $to"
