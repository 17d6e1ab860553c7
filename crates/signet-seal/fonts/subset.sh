#!/usr/bin/env bash
# Rebuild the bundled seal fonts: subsets of free fonts from Debian packages to
# GB 2312 + ASCII + the rare name characters in rare-name-chars.txt.
#
# Needs: python3 with fontTools (/work/main/.venv/bin/pip install fonttools),
#        fonts-noto-cjk and fonts-lxgw-wenkai installed (apt-get install -y fonts-noto-cjk fonts-lxgw-wenkai),
#        FandolFang/FandolKai: from texlive-lang-chinese if installed, otherwise the .deb is
#        fetched with `apt-get download` and unpacked with dpkg-deb (no install needed).
# Run from anywhere: bash crates/signet-seal/fonts/subset.sh
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
py="${PYTHON:-python3}"
if [ -x "$here/../../../.venv/bin/python" ]; then py="$here/../../../.venv/bin/python"; fi

noto=/usr/share/fonts/opentype/noto
lxgw=/usr/share/fonts/truetype/lxgw-wenkai
fandol=/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol
if [ ! -f "$fandol/FandolFang-Regular.otf" ]; then
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && apt-get download texlive-lang-chinese >/dev/null && dpkg-deb -x texlive-lang-chinese_*.deb root)
  fandol="$work/root/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol"
fi
for f in "$noto/NotoSerifCJK-Bold.ttc" "$noto/NotoSansCJK-Regular.ttc" "$lxgw/LXGWWenKai-Regular.ttf" \
         "$fandol/FandolFang-Regular.otf" "$fandol/FandolKai-Regular.otf"; do
  [ -f "$f" ] || { echo "missing source font: $f" >&2; exit 1; }
done

"$py" - "$here" "$noto" "$lxgw" "$fandol" <<'PY'
import sys, os
from fontTools import subset
from fontTools.ttLib import TTFont

here, noto, lxgw, fandol = sys.argv[1:5]

def gb2312():
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes([hi, lo]).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars

text = gb2312()
text |= {chr(c) for c in range(0x20, 0x7F)}
text |= set("\u00b7\u2022\u2014\u3000")
with open(os.path.join(here, "rare-name-chars.txt"), encoding="utf-8") as fh:
    for line in fh:
        if not line.startswith("#"):
            text |= set(line.strip())
unicodes = sorted(ord(c) for c in text if not c.isspace() or c == " ")

# (output file, source, font number in a collection, new family name or None to keep it)
faces = [
    ("song-noto-serif-cjk-sc-bold.otf", f"{noto}/NotoSerifCJK-Bold.ttc", 2, None),
    ("hei-noto-sans-cjk-sc.otf", f"{noto}/NotoSansCJK-Regular.ttc", 2, None),
    # OFL with Reserved Font Names "霞鹜"/"LXGW": a subset is a Modified Version, so it is renamed.
    ("kai-wenkai-subset.ttf", f"{lxgw}/LXGWWenKai-Regular.ttf", 0, "Signet Seal Kai"),
    ("fang-fandol.otf", f"{fandol}/FandolFang-Regular.otf", 0, None),
    ("kai-fandol.otf", f"{fandol}/FandolKai-Regular.otf", 0, None),
]

for out, src, number, rename in faces:
    opts = subset.Options()
    opts.font_number = number
    opts.layout_features = []          # seals place glyphs themselves: no shaping tables needed
    opts.hinting = False               # rendered as outlines at high resolution
    opts.drop_tables += ["BASE", "VORG", "vhea", "vmtx", "GSUB", "GPOS", "GDEF", "DSIG"]
    opts.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]
    opts.name_languages = [0x409]
    opts.notdef_outline = True
    opts.glyph_names = False
    font = subset.load_font(src, opts)
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=unicodes)
    sub.subset(font)
    if rename:
        name = font["name"]
        ps = rename.replace(" ", "") + "-Regular"
        for rec in list(name.names):
            if rec.nameID in (1, 16):
                rec.string = rename
            elif rec.nameID in (3, 4):
                rec.string = f"{rename} Regular"
            elif rec.nameID == 6:
                rec.string = ps
        name.names = [r for r in name.names if r.nameID not in (16, 17)]
    path = os.path.join(here, out)
    subset.save_font(font, path, opts)
    cmap = font.getBestCmap()
    missing = sum(1 for u in unicodes if u not in cmap)
    print(f"{out}: {os.path.getsize(path):,} bytes, {len(cmap):,} code points ({missing} requested ones not in the source)")
PY
