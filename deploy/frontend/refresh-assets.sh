#!/usr/bin/env bash
# Refreshes the gateway's front-end files from npm: NHS.UK frontend (CSS, JS, images; matches
# the nhsuk-frontend-jinja macros) and htmx. The copies are committed, so `make run` needs no
# Node; run this (`make frontend`) only to change a version.
set -euo pipefail
NHSUK_FRONTEND=10.6.1
HTMX=2.0.11
here="$(cd "$(dirname "$0")" && pwd)"
static="$here/../../services/gateway/static"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm pack --silent "nhsuk-frontend@$NHSUK_FRONTEND" "htmx.org@$HTMX" >/dev/null
mkdir nhsuk htmx
tar xzf "nhsuk-frontend-$NHSUK_FRONTEND.tgz" -C nhsuk
tar xzf "htmx.org-$HTMX.tgz" -C htmx

rm -rf "$static/nhsuk" "$static/htmx"
mkdir -p "$static/nhsuk" "$static/htmx"
dist=nhsuk/package/dist/nhsuk
cp "$dist/nhsuk-frontend.min.css" "$dist/nhsuk-frontend.min.js" "$static/nhsuk/"
# The compiled CSS loads the Frutiger web fonts from assets.nhs.uk. They are left out: every
# page would otherwise call a third party (and fail offline, and under our CSP); the CSS's
# own fallback, Arial, is used instead. Its icon URLs are made relative to the CSS file.
python3 - "$static/nhsuk/nhsuk-frontend.min.css" <<'PY'
import re, sys
path = sys.argv[1]
css = open(path, encoding="utf-8").read()
stripped = re.sub(r"@font-face\{[^}]*assets\.nhs\.uk[^}]*\}", "", css)
assert "assets.nhs.uk" not in stripped, "a reference to assets.nhs.uk is left"
# Its icons are addressed from the site's root (/assets/); ours sit beside the CSS.
stripped = stripped.replace("url(/assets/", "url(assets/")
open(path, "w", encoding="utf-8").write(stripped)
PY
cp -r "$dist/assets" "$static/nhsuk/assets"
cp htmx/package/dist/htmx.min.js "$static/htmx/"
cp htmx/package/LICENSE "$static/htmx/LICENSE"
# The npm package ships no licence file; this is the repository's LICENSE (MIT), as its
# package.json names it.
cat > "$static/nhsuk/LICENSE" <<LICENSE
nhsuk-frontend $NHSUK_FRONTEND (npm), from https://github.com/nhsuk/nhsuk-frontend

MIT License

Copyright (c) 2019 NHS.UK

Permission is hereby granted, free of charge, to any person obtaining a copy
of this software and associated documentation files (the "Software"), to deal
in the Software without restriction, including without limitation the rights
to use, copy, modify, merge, publish, distribute, sublicense, and/or sell
copies of the Software, and to permit persons to whom the Software is
furnished to do so, subject to the following conditions:

The above copyright notice and this permission notice shall be included in all
copies or substantial portions of the Software.

THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM,
OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE
SOFTWARE.
LICENSE
printf 'nhsuk-frontend %s\nhtmx.org %s\n' "$NHSUK_FRONTEND" "$HTMX" > "$static/VERSIONS"
echo "refreshed $static"
