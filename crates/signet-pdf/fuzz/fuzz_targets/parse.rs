//! Feeds arbitrary bytes to every entry point that parses: inspection, keyword search and
//! signing (with a signer that returns a fixed tiny container). Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use signet_pdf::{ContainerSigner, SignRequest, SubFilter};
use std::io::{Cursor, Read};

struct Dummy;

impl ContainerSigner for Dummy {
    fn max_container_len(&self) -> usize {
        16
    }
    fn sub_filter(&self) -> SubFilter {
        SubFilter::CadesDetached
    }
    fn sign(&self, r: &mut dyn Read) -> Result<Vec<u8>, Box<dyn std::error::Error + Send + Sync>> {
        std::io::copy(r, &mut std::io::sink())?;
        Ok(vec![0x30, 0x03, 0x02, 0x01, 0x01])
    }
}

fuzz_target!(|data: &[u8]| {
    let _ = signet_pdf::inspect(Cursor::new(data), None);
    let _ = signet_pdf::locate(Cursor::new(data), "甲方", None);
    let mut out = Vec::new();
    let _ = signet_pdf::sign(Cursor::new(data), &mut out, &SignRequest::default(), &Dummy);
});
