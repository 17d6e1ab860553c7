//! Mutated and truncated inputs must give errors, never panics.

use std::time::SystemTime;

use signet_pki::{
    CertStatus, CmsBuilder, CmsSignature, DigestAlgorithm, KeyAlgorithm, KeyCustody, OcspResponder, TimestampAuthority,
    VerifyPolicy, build_ocsp_request, build_timestamp_request, check_crl, check_ocsp_response, generate_crl,
    import_certificate_chain, parse_timestamp_response, read_certificates, read_pkcs12, write_pkcs12,
};

use crate::issue::issue;
use crate::support::fixture;

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

fn mutations(sample: &[u8], rng: &mut Rng, count: usize) -> Vec<Vec<u8>> {
    (0..count)
        .map(|i| {
            let mut m = sample.to_vec();
            match i % 4 {
                0 => m.truncate(rng.below(sample.len())),
                1 => {
                    for _ in 0..1 + rng.below(4) {
                        let at = rng.below(m.len());
                        m[at] ^= 1 << rng.below(8);
                    }
                }
                2 => {
                    // Length bytes are where parsers break: set one to 0x80..0x84 or 0xff.
                    let at = rng.below(m.len());
                    m[at] = [0x80, 0x81, 0x82, 0x84, 0xff][rng.below(5)];
                }
                _ => {
                    let at = rng.below(m.len());
                    let extra: Vec<u8> = (0..rng.below(16)).map(|_| rng.next() as u8).collect();
                    m.splice(at..at, extra);
                }
            }
            m
        })
        .collect()
}

#[test]
fn parsers_survive_mutated_input() {
    let f = fixture();
    let mut rng = Rng(0x5157_4e45_5450_4b49);
    let (key, cert) = issue(KeyAlgorithm::P256, "fuzz");
    let signer = f.keystore.signer(&key).unwrap();
    let issuer = f.ca.chain_for(KeyAlgorithm::P256.family()).unwrap()[0].clone();
    let tsa = TimestampAuthority::from_ca(&f.ca, &f.keystore).unwrap();
    let cms = CmsBuilder::new(signer.as_ref(), &cert, std::slice::from_ref(&issuer))
        .unwrap()
        .timestamp(&tsa)
        .sign(&[7u8; 32])
        .unwrap();
    let imprint = DigestAlgorithm::Sha256.digest(b"x");
    let (ts_request, _) = build_timestamp_request(DigestAlgorithm::Sha256, &imprint, None).unwrap();
    let ts_response = tsa.respond(&ts_request, 9, SystemTime::now()).unwrap();
    let responder = OcspResponder::new(&f.ca, &f.keystore).unwrap();
    let ocsp_request = build_ocsp_request(&cert, &issuer).unwrap();
    let ocsp_response = responder.respond(&ocsp_request, &|_, _| CertStatus::Good, SystemTime::now()).unwrap();
    let now = SystemTime::now();
    let crl = generate_crl(&f.ca, &f.keystore, "ecdsa", 1, now, now, &[]).unwrap();
    let (_, pkcs8) = f.keystore.export_pkcs8(&key).unwrap();
    let p12 = write_pkcs12(&pkcs8, &cert, &[], "pw", None).unwrap();
    let anchors = [f.ca.root.certificate_der.clone()];

    for m in mutations(&cms, &mut rng, 400) {
        if let Ok(sig) = CmsSignature::parse(&m) {
            let _ = sig.verify(Some(&[7u8; 32]), &VerifyPolicy::new(&anchors));
        }
    }
    for m in mutations(&ts_request, &mut rng, 200) {
        tsa.respond(&m, 1, now).expect("the TSA answers malformed requests with a status");
    }
    for m in mutations(&ts_response, &mut rng, 200) {
        let _ = parse_timestamp_response(&m, &imprint, None);
    }
    for m in mutations(&ocsp_request, &mut rng, 200) {
        responder.respond(&m, &|_, _| CertStatus::Good, now).expect("OCSP answers malformed requests with a status");
        let _ = responder.requested_serials(&m);
    }
    for m in mutations(&ocsp_response, &mut rng, 200) {
        let _ = check_ocsp_response(&m, &cert, &issuer);
    }
    for m in mutations(&crl, &mut rng, 200) {
        let _ = check_crl(&m, &cert, &issuer);
    }
    for m in mutations(&p12, &mut rng, 200) {
        let _ = read_pkcs12(&m, "pw");
    }
    for m in mutations(&cert, &mut rng, 200) {
        let _ = read_certificates(&m);
        let _ = import_certificate_chain(&m, &signer.public_key_der());
        let _ = f.keystore.signer(&signet_pki::KeyRef::from_bytes(m.clone()));
    }
    let pem = signet_pki::pem_certificate(&cert);
    for m in mutations(pem.as_bytes(), &mut rng, 200) {
        let _ = read_certificates(&m);
    }
    assert!(f.keystore.generate(KeyAlgorithm::P256, "still works").is_ok());
}
