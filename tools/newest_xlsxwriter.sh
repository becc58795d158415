#!/usr/bin/env bash
# Run the tests against the newest XlsxWriter release, in a throwaway venv (not in CI: an upstream release must not
# turn main red). pyproject.toml pins xlsxwriter to a minor range; when this script passes with a newer release,
# widen the pin in the same commit that says so.
#
#   tools/newest_xlsxwriter.sh                      # the kit's tests (writer, templates, live checks, print)
#   tools/newest_xlsxwriter.sh tests/               # everything
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
venv=$(mktemp -d "${TMPDIR:-/tmp}/iupjong-xlsxwriter.XXXXXX")
trap 'rm -rf "$venv"' EXIT
python3 -m venv "$venv"
"$venv/bin/pip" install -q -e "$repo[test]"
"$venv/bin/pip" install -q --upgrade --no-deps xlsxwriter  # past the pin on purpose
"$venv/bin/python" -c 'import xlsxwriter; print("xlsxwriter", xlsxwriter.__version__)'
cd "$repo"
if [ "$#" -eq 0 ]; then
  set -- tests/test_layout.py tests/test_templates.py tests/test_livecheck.py tests/test_print.py \
         tests/test_report_xlsx.py tests/test_national_workbook.py tests/test_cli.py
fi
"$venv/bin/python" -m pytest -q -x "$@"
