//! Benchmark driver for bench/pdf-sign.sh: signs a PDF N times with an in-process signer
//! (ring RSA-2048 or ECDSA P-256, a minimal CAdES SignedData built here) and prints the rate.
//!
//! Usage: sign_bench KEY.pk8.der CERT.der CA.der rsa|p256 IN.pdf OUT.pdf N [--seal PNG]
//!
//! The CMS code is deliberately small and test-grade: the product signs through the PKI
//! crate's CMS builder behind `ContainerSigner`.

use ring::rand::SystemRandom;
use ring::signature::{self, EcdsaKeyPair, RsaKeyPair};
use sha2::{Digest, Sha256};
use signet_pdf::{Appearance, ContainerSigner, Placement, SignRequest, SubFilter};
use std::io::Read;
use std::time::Instant;

type BoxErr = Box<dyn std::error::Error + Send + Sync>;

enum Key {
    Rsa(RsaKeyPair),
    P256(EcdsaKeyPair),
}

struct RingCades {
    key: Key,
    cert: Vec<u8>,
    ca: Vec<u8>,
    rng: SystemRandom,
}

fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = content.len();
    if n < 0x80 {
        out.push(n as u8);
    } else {
        let bytes = n.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (8 - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

fn oid(der_body: &[u8]) -> Vec<u8> {
    tlv(0x06, der_body)
}

/// Returns (tag, header length, content length) of the TLV at the start of `b`.
fn header(b: &[u8]) -> Option<(u8, usize, usize)> {
    let tag = *b.first()?;
    let l = *b.get(1)? as usize;
    if l < 0x80 {
        return Some((tag, 2, l));
    }
    let n = l & 0x7f;
    let len = b.get(2..2 + n)?.iter().fold(0usize, |a, x| (a << 8) | *x as usize);
    Some((tag, 2 + n, len))
}

/// issuer Name and serial INTEGER (full TLVs) of a certificate.
fn issuer_and_serial(cert: &[u8]) -> Option<(Vec<u8>, Vec<u8>)> {
    let (_, h, _) = header(cert)?; // Certificate
    let tbs = &cert[h..];
    let (_, h, _) = header(tbs)?; // TBSCertificate
    let mut p = &tbs[h..];
    let next = |p: &[u8]| -> Option<(Vec<u8>, usize)> {
        let (_, h, l) = header(p)?;
        Some((p.get(..h + l)?.to_vec(), h + l))
    };
    if p.first() == Some(&0xa0) {
        let (_, n) = next(p)?;
        p = &p[n..];
    }
    let (serial, n) = next(p)?;
    p = &p[n..];
    let (_, n) = next(p)?; // signature algorithm
    p = &p[n..];
    let (issuer, _) = next(p)?;
    Some((issuer, serial))
}

const OID_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01];
const OID_SIGNED_DATA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02];
const OID_SHA256: &[u8] = &[0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
const OID_CONTENT_TYPE: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03];
const OID_MESSAGE_DIGEST: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04];
const OID_SIGNING_CERT_V2: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x2f];
const OID_SHA256_RSA: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0b];
const OID_ECDSA_SHA256: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02];

impl ContainerSigner for RingCades {
    fn max_container_len(&self) -> usize {
        self.cert.len() + self.ca.len() + 1024
    }
    fn sub_filter(&self) -> SubFilter {
        SubFilter::CadesDetached
    }
    fn sign(&self, signed: &mut dyn Read) -> Result<Vec<u8>, BoxErr> {
        let mut h = Sha256::new();
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = signed.read(&mut buf)?;
            if n == 0 {
                break;
            }
            h.update(&buf[..n]);
        }
        let digest = h.finalize();
        let (issuer, serial) = issuer_and_serial(&self.cert).ok_or("bad certificate")?;
        let sha256 = seq(&[&oid(OID_SHA256)]);
        let attr = |o: &[u8], v: Vec<u8>| seq(&[&oid(o), &tlv(0x31, &v)]);
        let mut attrs = [
            attr(OID_CONTENT_TYPE, oid(OID_DATA)),
            attr(OID_MESSAGE_DIGEST, tlv(0x04, &digest)),
            attr(OID_SIGNING_CERT_V2, seq(&[&seq(&[&seq(&[&tlv(0x04, &Sha256::digest(&self.cert))])])])),
        ];
        attrs.sort(); // DER SET OF: sorted encodings
        let attrs = attrs.concat();
        let to_sign = tlv(0x31, &attrs);
        let (sig, alg) = match &self.key {
            Key::Rsa(k) => {
                let mut sig = vec![0; k.public().modulus_len()];
                k.sign(&signature::RSA_PKCS1_SHA256, &self.rng, &to_sign, &mut sig).map_err(|_| "rsa sign")?;
                (sig, seq(&[&oid(OID_SHA256_RSA), &[0x05, 0x00]]))
            }
            Key::P256(k) => (
                k.sign(&self.rng, &to_sign).map_err(|_| "ecdsa sign")?.as_ref().to_vec(),
                seq(&[&oid(OID_ECDSA_SHA256)]),
            ),
        };
        let signer_info =
            seq(&[&[0x02, 0x01, 0x01], &seq(&[&issuer, &serial]), &sha256, &tlv(0xa0, &attrs), &alg, &tlv(0x04, &sig)]);
        let signed_data = seq(&[
            &[0x02, 0x01, 0x01],
            &tlv(0x31, &sha256),
            &seq(&[&oid(OID_DATA)]),
            &tlv(0xa0, &[self.cert.as_slice(), self.ca.as_slice()].concat()),
            &tlv(0x31, &signer_info),
        ]);
        Ok(seq(&[&oid(OID_SIGNED_DATA), &tlv(0xa0, &signed_data)]))
    }
}

fn main() -> Result<(), BoxErr> {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 8 {
        return Err("usage: sign_bench KEY.pk8.der CERT.der CA.der rsa|p256 IN.pdf OUT.pdf N [--seal PNG]".into());
    }
    let pk8 = std::fs::read(&args[1])?;
    let rng = SystemRandom::new();
    let key = match args[4].as_str() {
        "rsa" => Key::Rsa(RsaKeyPair::from_pkcs8(&pk8).map_err(|e| format!("rsa key: {e}"))?),
        _ => Key::P256(
            EcdsaKeyPair::from_pkcs8(&signature::ECDSA_P256_SHA256_ASN1_SIGNING, &pk8, &rng)
                .map_err(|e| format!("p256 key: {e}"))?,
        ),
    };
    let signer = RingCades { key, cert: std::fs::read(&args[2])?, ca: std::fs::read(&args[3])?, rng };
    let n: usize = args[7].parse()?;
    let seal = args.iter().position(|a| a == "--seal").and_then(|i| args.get(i + 1));
    let request = SignRequest {
        placements: vec![Placement::At { pages: vec![1], x: 300.0, y: 200.0 }],
        appearance: match seal {
            Some(p) => Some(Appearance { image: std::fs::read(p)?, ..Default::default() }),
            None => None,
        },
        ..Default::default()
    };
    let cpu0 = cpu_seconds();
    let start = Instant::now();
    for _ in 0..n {
        let input = std::fs::File::open(&args[5])?;
        let output = std::io::BufWriter::new(std::fs::File::create(&args[6])?);
        signet_pdf::sign(input, output, &request, &signer)?;
    }
    let secs = start.elapsed().as_secs_f64();
    let cpu = cpu_seconds().map(|c| c - cpu0.unwrap_or(0.0)).unwrap_or(secs).max(1e-3);
    println!(
        "signet: {n} signatures in {secs:.3} s = {:.1} signs/s (cpu {cpu:.3} s = {:.1} signs/s)",
        n as f64 / secs,
        n as f64 / cpu
    );
    Ok(())
}

/// User + system CPU time of this process (Linux /proc; the machine is shared, so rates are
/// also reported per CPU second).
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}
