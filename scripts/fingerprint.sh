#!/usr/bin/env bash
# The behaviour of a checkout, to compare two of them (a refactor's before and after, issue #25):
#   scripts/fingerprint.sh <checkout> <out-folder>
# On the demo world with a fixed clock it writes: plan.json (`cbbd plan '*' --json` on an empty project), then runs the
# quick start (`materialize '*' --season 2026`) and writes versions.tsv (every partition's status, data version, code
# version and row count from the run log) and files.sha (a hash of every lakehouse file; a raw manifest's wall-clock
# `fetchedAt` lines left out). Compare with diff. The checkout must be built (`npm run build`); Node 24 on PATH.
set -euo pipefail
dir=$(cd "$1" && pwd); mkdir -p "$2"; out=$(cd "$2" && pwd)
cd "$dir"
export CBBD_NOW=2026-12-06T12:00:00Z
rm -rf lakehouse .cbbd
node bin/cbbd.js plan '*' --json > "$out/plan.json"
node bin/cbbd.js materialize '*' --season 2026 > "$out/start.log" 2>&1
node -e "
const Database = require('better-sqlite3');
const db = new Database('.cbbd/runlog.sqlite', { readonly: true });
const rows = db.prepare('SELECT asset_key, partition, status, data_version, code_version, row_count FROM partition_state ORDER BY 1, 2').raw().all();
require('fs').writeFileSync(process.argv[1], rows.map((r) => r.join('\t')).join('\n') + '\n');
" "$out/versions.tsv"
(cd lakehouse && find . -type f ! -path './meta/*' -print0 | sort -z | while IFS= read -r -d '' f; do
  if [[ $f == *_partition.json ]]; then printf '%s  %s\n' "$(grep -v '"fetchedAt"' "$f" | sha256sum | cut -c1-64)" "$f"; else sha256sum "$f"; fi
done) > "$out/files.sha"
echo "$(wc -l < "$out/versions.tsv") partitions, $(wc -l < "$out/files.sha") files: $out"
