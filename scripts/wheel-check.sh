#!/usr/bin/env bash
# The tool as an office installs it: the wheel built from this repository, installed into a fresh
# venv in a temporary folder far from the checkout, then `init`, `new`, `check` and `build` of a
# new publication there, with a stylesheet of its own (a blue 刊名) and a font of its own (a 造字
# character in the editor's name), and the sample issue built to the same bytes as the checkout's.
# Run by CI (.ci/run) after the tests; needs scripts/setup.sh to have run (the system libraries).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

.venv/bin/pip wheel -q --no-deps . -w "$work/dist"
/usr/bin/python3 -m venv "$work/venv"
"$work/venv/bin/pip" install -q "$work"/dist/bulletin_print-*.whl
bp="$work/venv/bin/bulletin-print"
py="$work/venv/bin/python"

cd "$work"
# the sample, from a copy outside the checkout: the same PDF as the checkout's editable install
cp -r "$repo/issues" sample
"$bp" build sample/2024/12.yaml -o sample.pdf >/dev/null
"$repo/.venv/bin/bulletin-print" build "$repo/issues/2024/12.yaml" -o checkout.pdf >/dev/null
cmp sample.pdf checkout.pdf

"$bp" init 西湖区政协信息 --title 西湖区政协信息 --compiler 政协杭州市西湖区委员会办公室编 --first-number 5 --first-total 120
cd 西湖区政协信息
sed -i 's/（送达单位）/区委办公室/; s/（发至单位）/各位区政协委员，区政协机关各部门/; s/（电话）/"(0571)87654321"/' publication.yaml
"$bp" new --date 2025-03-10 | grep -q '第5期（总第120期）'
# what an editor writes in place of new's stand-ins; the editor's name has a 造字 character
"$py" - <<'PY'
from pathlib import Path
issue = Path("issues/2025/5.yaml")
text = issue.read_text(encoding="utf-8")
for stand_in, real in {"（责任编辑）": "王\ue000明", "（标题）": "区政协召开十一届三次会议筹备工作会议",
                       "（正文）": "3月6日，区政协召开十一届三次会议筹备工作会议，听取大会筹备情况汇报，部署下一阶段工作。",
                       "（单位 姓名）": "办公室 李明"}.items():
    text = text.replace(stand_in, real)
issue.write_text(text, encoding="utf-8")
PY
if "$bp" check >/dev/null 2>&1; then echo "a private-use character passed without a font for it" >&2; exit 1; fi
mkdir layout fonts
echo '.masthead .name { color: device-cmyk(1 0 0 0); }' > layout/extra.css
"$py" "$repo/tests/fontmaker.py" fonts/zaozi.ttf
"$bp" check
"$bp" build issues/2025/5.yaml
"$py" - <<'PY'
import pypdf
pdf = pypdf.PdfReader("build/2025-5.pdf")
fonts = {f["/BaseFont"].split("+")[-1]: f for page in pdf.pages for f in
         (page["/Resources"]["/Font"][name].get_object() for name in page["/Resources"]["/Font"])}
own = fonts["Bulletin-Publication"]["/DescendantFonts"][0].get_object()["/FontDescriptor"]
assert "/FontFile2" in own, "the publication's font is not embedded"
assert b"1 0 0 0 scn" in pdf.pages[0].get_contents().get_data(), "the publication's masthead colour is not in the PDF"
print("wheel-check: the wheel builds the sample to the same bytes, and a new publication with its own look")
PY
