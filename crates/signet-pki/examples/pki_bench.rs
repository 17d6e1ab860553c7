//! Throughput of the PKI engine on one core: CMS signatures per second for
//! RSA-2048, P-256 and SM2 (full SignedData with PAdES attributes over a
//! precomputed digest), and RFC 3161 responses per second.
//!
//! Run: `cargo run --release -p signet-pki --example pki_bench [seconds]`
//! (bench/pki-bench.sh runs it next to `openssl speed`). Output lines are
//! `name<TAB>ops_per_second`.

use std::time::{Duration, Instant, SystemTime};

use signet_pki::{
    CaMaterial, CaSettings, CertStatus, CmsBuilder, DigestAlgorithm, KeyAlgorithm, KeyCustody, MasterKey,
    OcspResponder, SoftwareKeystore, SubjectInfo, TimestampAuthority, ValidityPeriod, build_ocsp_request,
    build_timestamp_request, issue_signing_certificate,
};

fn rate(seconds: f64, mut op: impl FnMut()) -> f64 {
    // Warm up, then count whole operations for the given time.
    for _ in 0..3 {
        op();
    }
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed().as_secs_f64() < seconds {
        op();
        n += 1;
    }
    n as f64 / start.elapsed().as_secs_f64()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let seconds: f64 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(3.0);
    let master = MasterKey::generate()?;
    let store = SoftwareKeystore::new(&master)?;
    let mut settings = CaSettings::new("http://127.0.0.1:8080", "Bench CA");
    settings.root_algorithm = KeyAlgorithm::P384;
    let ca = CaMaterial::generate(&settings, &store)?;
    let subject = SubjectInfo { common_name: "Bench Signer".into(), ..Default::default() };
    let digest_of_document = DigestAlgorithm::Sha256.digest(b"a PDF byte range");

    for alg in [KeyAlgorithm::Rsa2048, KeyAlgorithm::P256, KeyAlgorithm::Sm2] {
        let key = store.generate(alg, "bench")?;
        let signer = store.signer(&key)?;
        let cert = issue_signing_certificate(
            &ca,
            &store,
            &subject,
            &signer.public_key_der(),
            ValidityPeriod::starting(SystemTime::now(), Duration::from_secs(3600)),
        )?;
        let chain = ca.chain_for(alg.family())?;
        let builder = CmsBuilder::new(signer.as_ref(), &cert, &chain)?;
        let digest = if alg == KeyAlgorithm::Sm2 {
            DigestAlgorithm::Sm3.digest(b"a PDF byte range")
        } else {
            digest_of_document.clone()
        };
        let r = rate(seconds, || {
            signer.sign(b"200 bytes of signed attributes, more or less").expect("raw signing");
        });
        println!("raw_sign_{}\t{r:.0}", alg.name());
        let r = rate(seconds, || {
            builder.sign(&digest).expect("CMS signing");
        });
        println!("cms_sign_{}\t{r:.0}", alg.name());
    }

    let tsa = TimestampAuthority::from_ca(&ca, &store)?;
    let (request, _) = build_timestamp_request(DigestAlgorithm::Sha256, &digest_of_document, None)?;
    let mut serial = 0u128;
    let r = rate(seconds, || {
        serial += 1;
        tsa.respond(&request, serial, SystemTime::now()).expect("TSA response");
    });
    println!("tsa_respond_p256\t{r:.0}");

    let responder = OcspResponder::new(&ca, &store)?;
    let leaf = ca.tsa.certificate_der.clone();
    let issuer = ca.tsa_chain()?[1].clone();
    let ocsp_request = build_ocsp_request(&leaf, &issuer)?;
    let r = rate(seconds, || {
        responder.respond(&ocsp_request, &|_, _| CertStatus::Good, SystemTime::now()).expect("OCSP response");
    });
    println!("ocsp_respond_p256\t{r:.0}");
    Ok(())
}
