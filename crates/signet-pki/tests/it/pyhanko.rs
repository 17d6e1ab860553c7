//! pyHanko's CMS and path validation (pyhanko-certvalidator) judges our
//! signatures, timestamps and OCSP responses, offline, with hard-fail revocation.

use std::process::Command;
use std::time::SystemTime;

use signet_pki::{
    CertStatus, CmsBuilder, DigestAlgorithm, KeyAlgorithm, KeyCustody, OcspResponder, TimestampAuthority,
    build_ocsp_request, pem_certificate,
};

use crate::issue::issue;
use crate::support::{fixture, write};

const SCRIPT: &str = r#"
import asyncio, json, sys
from asn1crypto import cms, ocsp, pem, x509
from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext

def load_certs(path):
    data = open(path, 'rb').read()
    return [x509.Certificate.load(der) for _, _, der in pem.unarmor(data, multiple=True)]

root = load_certs('root.pem')[0]
others = load_certs('others.pem')
ocsps = [ocsp.OCSPResponse.load(open(p, 'rb').read()) for p in sys.argv[3:]]
ctx = lambda: ValidationContext(trust_roots=[root], other_certs=others, ocsps=ocsps,
                                allow_fetching=False, revocation_mode='hard-fail')
signed_data = cms.ContentInfo.load(open(sys.argv[1], 'rb').read())['content']
content = open(sys.argv[2], 'rb').read()
status = asyncio.run(async_validate_detached_cms(
    content, signed_data, signer_validation_context=ctx(), ts_validation_context=ctx(),
    key_usage_settings=KeyUsageConstraints(key_usage={'non_repudiation'})))
ts = status.timestamp_validity
print(json.dumps({'intact': status.intact, 'valid': status.valid, 'trusted': status.trusted,
                  'bottom_line': status.bottom_line, 'summary': status.summary(),
                  'ts': None if ts is None else {'intact': ts.intact, 'valid': ts.valid, 'trusted': ts.trusted}}))
"#;

#[test]
fn pyhanko_validates_cms_timestamp_and_ocsp_with_hard_fail_revocation() {
    let f = fixture();
    let tsa = TimestampAuthority::from_ca(&f.ca, &f.keystore).unwrap();
    let responder = OcspResponder::new(&f.ca, &f.keystore).unwrap();
    let content = b"%PDF-1.7 pretend byte range".repeat(1000);
    for alg in [KeyAlgorithm::Rsa2048, KeyAlgorithm::P256] {
        let (key, cert) = issue(alg, "pyHanko 验证");
        let signer = f.keystore.signer(&key).unwrap();
        let chain = f.ca.chain_for(alg.family()).unwrap();
        let builder = CmsBuilder::new(signer.as_ref(), &cert, &chain[..1]).unwrap().timestamp(&tsa);
        let cms = builder.sign(&DigestAlgorithm::Sha256.digest(&content)).unwrap();

        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        write(d, "check.py", SCRIPT);
        write(d, "sig.der", &cms);
        write(d, "content.bin", &content);
        write(d, "root.pem", f.ca.root_pem());
        let mut others = String::new();
        for c in f.ca.all_certificates() {
            others.push_str(&pem_certificate(c));
        }
        write(d, "others.pem", others);
        // OCSP for the signer, the TSA and every issuing CA (hard-fail wants them all).
        let tsa_chain = f.ca.tsa_chain().unwrap();
        let mut subjects = vec![(cert.clone(), chain[0].clone()), (tsa_chain[0].clone(), tsa_chain[1].clone())];
        for i in &f.ca.issuing {
            subjects.push((i.ca.certificate_der.clone(), f.ca.root.certificate_der.clone()));
        }
        let mut args = vec!["check.py".to_owned(), "sig.der".into(), "content.bin".into()];
        for (n, (subject, issuer)) in subjects.iter().enumerate() {
            let request = build_ocsp_request(subject, issuer).unwrap();
            let response = responder.respond(&request, &|_, _| CertStatus::Good, SystemTime::now()).unwrap();
            let name = format!("ocsp{n}.der");
            write(d, &name, response);
            args.push(name);
        }
        let output = Command::new("python3").args(&args).current_dir(d).output().unwrap_or_else(|e| {
            panic!("python3 with pyhanko is required (put /work/main/.venv/bin first on PATH): {e}")
        });
        let out = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
        assert!(output.status.success(), "pyHanko check failed to run (is pyhanko installed?):\n{out}");
        assert!(out.contains(r#""intact": true, "valid": true, "trusted": true"#), "{alg}: {out}");
        assert!(out.contains(r#""ts": {"intact": true, "valid": true, "trusted": true}"#), "{alg}: {out}");
        // Without the OCSP responses, hard-fail revocation checking must refuse trust.
        let output = Command::new("python3").args(&args[..3]).current_dir(d).output().unwrap();
        let out = String::from_utf8_lossy(&output.stdout);
        assert!(
            out.contains(r#""intact": true, "valid": true, "trusted": false"#),
            "{alg} trusted without revocation data: {out}"
        );
    }
}
