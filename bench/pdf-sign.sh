#!/usr/bin/env bash
# Signs the same files with Signet's PDF engine (visible PNG seal) and with pyHanko (visible
# field with its default stamp), in one run, and prints
# both rates and the ratio; for the 60 MB files (a scan: big images; a text-only contract of
# 10,500 pages) also time and peak RSS against sha256sum.
#
#   bash bench/pdf-sign.sh            (from the repository root; needs openssl, python venv
#                                      with pyhanko + reportlab, GNU time)
# Env: N_SMALL (default 200) signatures of the 1-page contract, N_PY (default 20) for pyHanko.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/.venv/bin:$PATH"
N_SMALL=${N_SMALL:-200}
N_PY=${N_PY:-20}
W=$(mktemp -d /tmp/signet-pdf-bench.XXXXXX)
trap 'rm -rf "$W"' EXIT

echo "== building (release)"
cargo build --release -q -p signet-pdf --example sign_bench
BIN=$ROOT/target/release/examples/sign_bench

echo "== test PKI and inputs in $W"
cd "$W"
cat > ext.cnf <<'CNF'
[v3_ca]
basicConstraints=critical,CA:true
keyUsage=critical,keyCertSign,cRLSign
[leaf]
basicConstraints=CA:false
keyUsage=critical,digitalSignature,nonRepudiation
CNF
openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 30 -subj /CN=BenchCA -extensions v3_ca -config ext.cnf 2>/dev/null
openssl x509 -in ca.pem -outform DER -out ca.der
for alg in rsa p256; do
  if [ $alg = rsa ]; then openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out $alg.key 2>/dev/null
  else openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $alg.key 2>/dev/null; fi
  openssl pkcs8 -topk8 -nocrypt -in $alg.key -outform DER -out $alg.pk8
  openssl req -new -key $alg.key -subj "/CN=Bench $alg" -out $alg.csr 2>/dev/null
  openssl x509 -req -in $alg.csr -CA ca.pem -CAkey ca.key -set_serial $RANDOM -days 30 -extfile ext.cnf -extensions leaf -out $alg.pem 2>/dev/null
  openssl x509 -in $alg.pem -outform DER -out $alg.der
done
python - <<'PY'
import os, io
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.lib.utils import ImageReader
pdfmetrics.registerFont(TTFont("WenKai", "/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf"))
def contract(path, pages):
    c = canvas.Canvas(path, pagesize=A4)
    for p in range(pages):
        c.setFont("WenKai", 11)
        for i in range(30):
            c.drawString(50, 790 - i * 24, f"第{p + 1}页 第{i + 1}条 双方同意按照本合同约定履行各自的义务，甲方盖章处。")
        c.showPage()
    c.save()
contract("one-page.pdf", 1)
from PIL import Image, ImageDraw
seal = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
d = ImageDraw.Draw(seal)
d.ellipse([6, 6, 294, 294], outline=(230, 0, 0, 255), width=18)
d.regular_polygon((150, 150, 60), 5, fill=(230, 0, 0, 255))
seal.save("seal.png", dpi=(300, 300))
contract("2000-pages.pdf", 2000)
# ~60 MB: 21 pages, each one incompressible 2.9 MB image.
c = canvas.Canvas("big.pdf", pagesize=A4)
for p in range(21):
    from PIL import Image
    img = Image.frombytes("RGB", (1000, 960), os.urandom(1000 * 960 * 3))
    b = io.BytesIO(); img.save(b, format="PNG", compress_level=1)
    c.drawImage(ImageReader(io.BytesIO(b.getvalue())), 50, 100, 500, 480)
    c.drawString(50, 50, f"scan {p + 1}")
    c.showPage()
c.save()
import zlib, random
# ~60 MB of text only: 10,500 pages of Flate-compressed text (~5.7 KB each, 70 lines), half
# the content streams with an indirect /Length, page tree in nodes of 100 kids.
def text_only(path, pages):
    rnd = random.Random(5)
    words = ["".join(rnd.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rnd.randint(2, 9))) for _ in range(4000)]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = {}
    def obj(n, body):
        offsets[n] = len(out)
        out.extend(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    groups = (pages + 99) // 100
    nodes = list(range(4, 4 + groups))
    nid = 4 + groups
    for p in range(pages):
        lines = ["BT /F1 8 Tf 30 %d Td (%s) Tj ET" % (800 - i * 11, " ".join(rnd.choice(words) for _ in range(18))) for i in range(70)]
        data = zlib.compress("\n".join(lines).encode(), 1)
        page, content = nid, nid + 1
        nid += 2
        if p % 2:
            ln = nid
            nid += 1
            obj(content, b"<</Filter/FlateDecode/Length %d 0 R>>\nstream\n" % ln + data + b"\nendstream")
            obj(ln, b"%d" % len(data))
        else:
            obj(content, b"<</Filter/FlateDecode/Length %d>>\nstream\n" % len(data) + data + b"\nendstream")
        obj(page, b"<</Type/Page/Parent %d 0 R/MediaBox[0 0 595 842]/Contents %d 0 R>>" % (nodes[p // 100], content))
        offsets.setdefault("pages", []).append(page)
    kids = offsets.pop("pages")
    for g, n in enumerate(nodes):
        k = kids[g * 100:(g + 1) * 100]
        obj(n, b"<</Type/Pages/Parent 2 0 R/Count %d/Kids[%s]>>" % (len(k), b" ".join(b"%d 0 R" % i for i in k)))
    obj(1, b"<</Type/Catalog/Pages 2 0 R>>")
    obj(2, b"<</Type/Pages/Count %d/Kids[%s]/Resources<</Font<</F1 3 0 R>>>>>>" % (pages, b" ".join(b"%d 0 R" % i for i in nodes)))
    obj(3, b"<</Type/Font/Subtype/Type1/BaseFont/Helvetica/Encoding/WinAnsiEncoding>>")
    xref = len(out)
    out.extend(b"xref\n0 %d\n0000000000 65535 f\r\n" % nid)
    for n in range(1, nid):
        out.extend(b"%010d 00000 n\r\n" % offsets[n])
    out.extend(b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (nid, xref))
    open(path, "wb").write(out)
text_only("text.pdf", 10500)
PY
ls -la one-page.pdf 2000-pages.pdf big.pdf text.pdf | awk '{print "   ", $5, $9}'

cat > pyh.py <<'PY'
import sys, time
from pyhanko.sign import signers, fields
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
key, cert, ca, src, dst, n = sys.argv[1:7]
signer = signers.SimpleSigner.load(key, cert, ca_chain_files=(ca,))
t = time.perf_counter()
c0 = time.process_time()
for i in range(int(n)):
    with open(src, "rb") as inf:
        w = IncrementalPdfFileWriter(inf, strict=False)
        meta = signers.PdfSignatureMetadata(field_name="Sig1", subfilter=fields.SigSeedSubFilter.PADES)
        with open(dst, "wb") as out:
            signers.sign_pdf(w, meta, signer=signer, output=out,
                new_field_spec=fields.SigFieldSpec("Sig1", on_page=0, box=(250, 150, 350, 250)))
dt = time.perf_counter() - t
cpu = max(time.process_time() - c0, 1e-3)
print(f"pyhanko: {n} signatures in {dt:.3f} s = {int(n)/dt:.1f} signs/s (cpu {cpu:.3f} s = {int(n)/cpu:.1f} signs/s)")
PY

# Wall-clock rate and rate per CPU second (the machine is shared: CPU time is the steadier).
rate() { sed -n 's/.*s = \([0-9.]*\) signs\/s (cpu.*/\1/p'; }
cpurate() { sed -n 's/.*(cpu [0-9.]* s = \([0-9.]*\) signs\/s)/\1/p'; }
report() { # label signet-line pyhanko-line
  local s p sc pc; s=$(echo "$2" | rate); p=$(echo "$3" | rate); sc=$(echo "$2" | cpurate); pc=$(echo "$3" | cpurate)
  printf '%-26s wall: signet %7.1f/s pyhanko %5.1f/s ratio %5.1fx | cpu: signet %7.1f/s pyhanko %5.1f/s ratio %5.1fx\n' \
    "$1" "$s" "$p" "$(python -c "print($s/$p)")" "$sc" "$pc" "$(python -c "print($sc/$pc)")"
}
echo "== results"
for alg in rsa p256; do
  S=$("$BIN" $alg.pk8 $alg.der ca.der $alg one-page.pdf out-s.pdf "$N_SMALL" --seal seal.png)
  P=$(python pyh.py $alg.key $alg.pem ca.pem one-page.pdf out-p.pdf "$N_PY")
  report "1-page contract, $alg" "$S" "$P"
done
S=$("$BIN" rsa.pk8 rsa.der ca.der rsa 2000-pages.pdf out-s.pdf 5 --seal seal.png)
P=$(python pyh.py rsa.key rsa.pem ca.pem 2000-pages.pdf out-p.pdf 2)
report "2000-page contract, rsa" "$S" "$P"
pyhanko sign validate --trust-replace --trust ca.pem --no-revocation-check out-s.pdf | sed 's/^/    validate: /'

big() { # label file
  echo "== $1 (one signature each; time, peak RSS)"
  sync
  local sha sig pyh
  sha=$( { /usr/bin/time -f '%e s %M KB' sha256sum "$2" >/dev/null; } 2>&1 )
  sig=$( { /usr/bin/time -f '%e s %M KB' "$BIN" rsa.pk8 rsa.der ca.der rsa "$2" out-big.pdf 1 >/dev/null; } 2>&1 )
  pyh=$( { /usr/bin/time -f '%e s %M KB' python pyh.py rsa.key rsa.pem ca.pem "$2" out-bigp.pdf 1 >/dev/null; } 2>&1 )
  echo "    sha256sum: $sha"
  echo "    signet:    $sig   (time $(python -c "print(round(${sig%% s*}/max(${sha%% s*},0.01),2))")x sha256sum)"
  echo "    pyhanko:   $pyh"
  pyhanko sign validate --trust-replace --trust ca.pem --no-revocation-check out-big.pdf | sed 's/^/    validate: /'
}
big "60 MB scan (images)" big.pdf
big "60 MB text-only contract (10,500 pages)" text.pdf
