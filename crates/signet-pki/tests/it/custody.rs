use signet_pki::{
    KeyAlgorithm, KeyCustody, MasterKey, PkiError, SoftwareKeystore, key_algorithm_of_spki, verify_signature,
};

#[test]
fn key_algorithm_names_parse() {
    for alg in KeyAlgorithm::ALL {
        assert_eq!(alg.name().parse::<KeyAlgorithm>().unwrap(), alg);
    }
    assert_eq!("RSA-2048".parse::<KeyAlgorithm>().unwrap(), KeyAlgorithm::Rsa2048);
    assert!(matches!("dsa".parse::<KeyAlgorithm>(), Err(PkiError::UnknownAlgorithm(_))));
}

#[test]
fn every_algorithm_signs_and_verifies_through_the_keystore() {
    let master = MasterKey::generate().unwrap();
    let store = SoftwareKeystore::new(&master).unwrap();
    for alg in [KeyAlgorithm::Rsa2048, KeyAlgorithm::P256, KeyAlgorithm::P384, KeyAlgorithm::Sm2] {
        let key = store.generate(alg, "test").unwrap();
        let signer = store.signer(&key).unwrap();
        assert_eq!(signer.algorithm(), alg);
        let spki = signer.public_key_der();
        assert_eq!(key_algorithm_of_spki(&spki).unwrap(), alg);
        let sig = signer.sign(b"hello").unwrap();
        let spki = spki::SubjectPublicKeyInfoOwned::try_from(spki.as_slice()).unwrap();
        verify_signature(&spki, alg.default_signature(), b"hello", &sig).unwrap();
        assert!(
            verify_signature(&spki, alg.default_signature(), b"hellO", &sig).is_err(),
            "{alg} accepted a wrong message"
        );
    }
}

#[test]
fn wrong_master_key_fails_to_unwrap_with_a_clear_error() {
    let store = SoftwareKeystore::new(&MasterKey::generate().unwrap()).unwrap();
    let key = store.generate(KeyAlgorithm::P256, "k").unwrap();
    let other = SoftwareKeystore::new(&MasterKey::generate().unwrap()).unwrap();
    let err = other.signer(&key).err().expect("a wrong master key must not unwrap");
    assert!(matches!(err, PkiError::KeyUnwrap), "{err}");
    assert!(err.to_string().contains("wrong master key"), "{err}");
    // Tampering with the algorithm byte (authenticated data) is detected too.
    let mut bytes = key.as_bytes().to_vec();
    bytes[4] = KeyAlgorithm::P384 as u8 + 1;
    assert!(store.signer(&signet_pki::KeyRef::from_bytes(bytes)).is_err());
}

#[test]
fn master_key_text_and_check_value() {
    let master = MasterKey::generate().unwrap();
    let again = MasterKey::from_base64(&master.to_base64()).unwrap();
    assert_eq!(master.check_value(), again.check_value());
    again.verify_check_value(&master.check_value()).unwrap();
    let other = MasterKey::generate().unwrap();
    assert!(matches!(other.verify_check_value(&master.check_value()), Err(PkiError::WrongMasterKey)));
    assert!(matches!(MasterKey::from_base64("c2hvcnQ="), Err(PkiError::InvalidMasterKey(_))));
    assert!(matches!(MasterKey::from_base64(""), Err(PkiError::InvalidMasterKey(_))));
    assert!(matches!(MasterKey::from_base64("!!!"), Err(PkiError::InvalidMasterKey(_))));
    assert_eq!(format!("{master:?}"), "MasterKey(..)");
}

#[test]
fn id_number_pseudonym_is_stable_and_hides_the_number() {
    let master = MasterKey::generate().unwrap();
    let a = master.id_number_pseudonym("CRED_PSN_CH_IDCARD", "11010519491231002x").unwrap();
    let b = master.id_number_pseudonym("CRED_PSN_CH_IDCARD", " 11010519491231002X ").unwrap();
    assert_eq!(a, b);
    assert!(a.starts_with("SGID1-") && a.len() == 46 && !a.contains("110105"), "{a}");
    let other = MasterKey::generate().unwrap().id_number_pseudonym("CRED_PSN_CH_IDCARD", "11010519491231002X").unwrap();
    assert_ne!(a, other);
}
