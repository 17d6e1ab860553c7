//! PKCS#11 key custody (`cryptoki`): keys generated and used inside a token (HSM, SoftHSM2).

use std::sync::Mutex;

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as P11Error, RvError};
use cryptoki::mechanism::rsa::{PkcsMgfType, PkcsPssParams};
use cryptoki::mechanism::{Mechanism, MechanismType};
use cryptoki::object::{Attribute, AttributeType, ObjectClass, ObjectHandle};
use cryptoki::session::{Session, UserType};
use cryptoki::slot::Slot;
use cryptoki::types::AuthPin;
use der::asn1::{BitString, OctetString, UintRef};
use der::{Decode, Encode, Sequence};
use spki::SubjectPublicKeyInfoOwned;

use crate::algorithm::{KeyAlgorithm, KeyFamily, SignatureAlgorithm};
use crate::custody::{KeyCustody, KeyRef};
use crate::error::{PkiError, Result};
use crate::keys::{KeySigner, ec_algorithm_identifier, rsa_algorithm_identifier};
use crate::oids;

/// Magic of PKCS#11 key references: `SGP1` ‖ algorithm code ‖ CKA_ID.
const MAGIC: &[u8; 4] = b"SGP1";

fn p11(context: &'static str) -> impl FnOnce(P11Error) -> PkiError {
    move |e| PkiError::Pkcs11(format!("{context}: {e}"))
}

/// Keys in a PKCS#11 token, found by token label and logged in as the user.
/// SM2 is not offered by common tokens (SoftHSM2): generation of SM2 keys fails clearly.
pub struct Pkcs11Custody {
    context: Pkcs11,
    slot: Slot,
    session: Mutex<Session>,
}

impl std::fmt::Debug for Pkcs11Custody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pkcs11Custody").field("slot", &self.slot).finish_non_exhaustive()
    }
}

impl Pkcs11Custody {
    /// Loads `module` (e.g. `/usr/lib/softhsm/libsofthsm2.so`), finds the token
    /// labelled `token_label` and logs in with `user_pin`.
    pub fn open(module: &str, token_label: &str, user_pin: &str) -> Result<Self> {
        Self::open_with(module, user_pin, |context| {
            context
                .get_slots_with_initialized_token()
                .map_err(p11("listing slots"))?
                .into_iter()
                .find(|s| context.get_token_info(*s).is_ok_and(|t| t.label().trim_end() == token_label))
                .ok_or_else(|| PkiError::Pkcs11(format!("no token labelled {token_label:?}")))
        })
    }

    /// Like [`Self::open`], for the token in slot `slot_id` (when labels are not unique).
    pub fn open_slot(module: &str, slot_id: u64, user_pin: &str) -> Result<Self> {
        Self::open_with(module, user_pin, |context| {
            context
                .get_slots_with_initialized_token()
                .map_err(p11("listing slots"))?
                .into_iter()
                .find(|s| s.id() == slot_id)
                .ok_or_else(|| PkiError::Pkcs11(format!("no initialised token in slot {slot_id}")))
        })
    }

    fn open_with(module: &str, user_pin: &str, pick: impl FnOnce(&Pkcs11) -> Result<Slot>) -> Result<Self> {
        let context = Pkcs11::new(module).map_err(p11("cannot load the PKCS#11 module"))?;
        match context.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
            Ok(()) | Err(P11Error::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => {}
            Err(e) => return Err(p11("C_Initialize")(e)),
        }
        let slot = pick(&context)?;
        let session = context.open_rw_session(slot).map_err(p11("opening a session"))?;
        let pin = AuthPin::new(user_pin.into());
        match session.login(UserType::User, Some(&pin)) {
            Ok(()) | Err(P11Error::Pkcs11(RvError::UserAlreadyLoggedIn, _)) => {}
            Err(e) => return Err(p11("login")(e)),
        }
        Ok(Pkcs11Custody { context, slot, session: Mutex::new(session) })
    }

    fn parse_ref(key: &KeyRef) -> Result<(KeyAlgorithm, Vec<u8>)> {
        let bytes = key.as_bytes();
        if bytes.len() < 6 || &bytes[..4] != MAGIC {
            return Err(PkiError::InvalidKeyRef("not a PKCS#11 key reference"));
        }
        let alg = KeyAlgorithm::from_code(bytes[4]).ok_or(PkiError::InvalidKeyRef("unknown algorithm code"))?;
        Ok((alg, bytes[5..].to_vec()))
    }
}

fn curve_oid(alg: KeyAlgorithm) -> Result<der::asn1::ObjectIdentifier> {
    match alg {
        KeyAlgorithm::P256 => Ok(oids::SECP256R1),
        KeyAlgorithm::P384 => Ok(oids::SECP384R1),
        _ => Err(PkiError::UnsupportedAlgorithm(format!("{alg} in a PKCS#11 token"))),
    }
}

impl KeyCustody for Pkcs11Custody {
    fn generate(&self, algorithm: KeyAlgorithm, label: &str) -> Result<KeyRef> {
        let mut id = vec![0u8; 16];
        getrandom::fill(&mut id).map_err(|e| PkiError::KeyGeneration(e.to_string()))?;
        let common = |public: bool| {
            let mut a =
                vec![Attribute::Token(true), Attribute::Id(id.clone()), Attribute::Label(label.as_bytes().to_vec())];
            if public {
                a.push(Attribute::Verify(true));
            } else {
                a.extend([
                    Attribute::Private(true),
                    Attribute::Sensitive(true),
                    Attribute::Extractable(false),
                    Attribute::Sign(true),
                ]);
            }
            a
        };
        let (mechanism, mut public, private) = match algorithm.family() {
            KeyFamily::Rsa => {
                let bits = algorithm.rsa_bits().unwrap_or(2048) as u64;
                let mut public = common(true);
                public.push(Attribute::ModulusBits(bits.into()));
                public.push(Attribute::PublicExponent(vec![1, 0, 1]));
                (Mechanism::RsaPkcsKeyPairGen, public, common(false))
            }
            KeyFamily::Ecdsa => {
                let params = curve_oid(algorithm)?.to_der().map_err(PkiError::asn1("curve"))?;
                let mut public = common(true);
                public.push(Attribute::EcParams(params));
                (Mechanism::EccKeyPairGen, public, common(false))
            }
            KeyFamily::Sm2 => {
                return Err(PkiError::UnsupportedAlgorithm(
                    "SM2 keys in a PKCS#11 token (use the software keystore)".into(),
                ));
            }
        };
        public.shrink_to_fit();
        let session = self.session.lock().map_err(|_| PkiError::Pkcs11("session lock poisoned".into()))?;
        session.generate_key_pair(&mechanism, &public, &private).map_err(p11("generating a key pair"))?;
        let mut out = MAGIC.to_vec();
        out.push(algorithm.code());
        out.extend_from_slice(&id);
        Ok(KeyRef::from_bytes(out))
    }

    fn signer(&self, key: &KeyRef) -> Result<Box<dyn KeySigner>> {
        let (algorithm, id) = Self::parse_ref(key)?;
        let session = self.context.open_ro_session(self.slot).map_err(p11("opening a session"))?;
        let find = |class| -> Result<ObjectHandle> {
            session
                .find_objects(&[Attribute::Class(class), Attribute::Id(id.clone())])
                .map_err(p11("finding the key"))?
                .into_iter()
                .next()
                .ok_or_else(|| PkiError::Pkcs11("the key is not in the token".into()))
        };
        let private = find(ObjectClass::PRIVATE_KEY)?;
        let public = find(ObjectClass::PUBLIC_KEY)?;
        let spki = match algorithm.family() {
            KeyFamily::Rsa => {
                let attrs = session
                    .get_attributes(public, &[AttributeType::Modulus, AttributeType::PublicExponent])
                    .map_err(p11("reading the public key"))?;
                let (mut n, mut e) = (vec![], vec![]);
                for a in attrs {
                    match a {
                        Attribute::Modulus(v) => n = v,
                        Attribute::PublicExponent(v) => e = v,
                        _ => {}
                    }
                }
                let key = RsaPublicKeyDer {
                    modulus: UintRef::new(&n).map_err(PkiError::asn1("modulus"))?,
                    exponent: UintRef::new(&e).map_err(PkiError::asn1("exponent"))?,
                }
                .to_der()
                .map_err(PkiError::asn1("RSA public key"))?;
                spki_der(rsa_algorithm_identifier(), &key)?
            }
            _ => {
                let attrs =
                    session.get_attributes(public, &[AttributeType::EcPoint]).map_err(p11("reading the public key"))?;
                let point = attrs
                    .into_iter()
                    .find_map(|a| if let Attribute::EcPoint(p) = a { Some(p) } else { None })
                    .ok_or_else(|| PkiError::Pkcs11("the token returned no EC point".into()))?;
                // CKA_EC_POINT is a DER OCTET STRING; some tokens return the raw point.
                let point = OctetString::from_der(&point).map(|o| o.as_bytes().to_vec()).unwrap_or(point);
                spki_der(ec_algorithm_identifier(curve_oid(algorithm)?), &point)?
            }
        };
        Ok(Box::new(Pkcs11Signer { algorithm, session: Mutex::new(session), key: private, spki }))
    }
}

#[derive(Sequence)]
struct RsaPublicKeyDer<'a> {
    modulus: UintRef<'a>,
    exponent: UintRef<'a>,
}

#[derive(Sequence)]
struct EcdsaSignatureDer<'a> {
    r: UintRef<'a>,
    s: UintRef<'a>,
}

fn spki_der(algorithm: spki::AlgorithmIdentifierOwned, key: &[u8]) -> Result<Vec<u8>> {
    SubjectPublicKeyInfoOwned {
        algorithm,
        subject_public_key: BitString::from_bytes(key).map_err(PkiError::asn1("public key"))?,
    }
    .to_der()
    .map_err(PkiError::asn1("SubjectPublicKeyInfo"))
}

/// Signs with a private key object in the token.
struct Pkcs11Signer {
    algorithm: KeyAlgorithm,
    session: Mutex<Session>,
    key: ObjectHandle,
    spki: Vec<u8>,
}

impl KeySigner for Pkcs11Signer {
    fn algorithm(&self) -> KeyAlgorithm {
        self.algorithm
    }

    fn public_key_der(&self) -> Vec<u8> {
        self.spki.clone()
    }

    fn sign(&self, message: &[u8]) -> Result<Vec<u8>> {
        self.sign_with(self.algorithm.default_signature(), message)
    }

    fn sign_with(&self, scheme: SignatureAlgorithm, message: &[u8]) -> Result<Vec<u8>> {
        use SignatureAlgorithm::*;
        let pss = |hash_alg, mgf, len: usize| PkcsPssParams { hash_alg, mgf, s_len: (len as u64).into() };
        let unsupported = || PkiError::UnsupportedSignature { key: self.algorithm.name(), scheme: scheme.name() };
        if scheme.family() != self.algorithm.family() {
            return Err(unsupported());
        }
        let session = self.session.lock().map_err(|_| PkiError::Pkcs11("session lock poisoned".into()))?;
        let sign = |mechanism: &Mechanism, data: &[u8]| session.sign(mechanism, self.key, data).map_err(p11("signing"));
        match scheme {
            RsaPkcs1Sha256 => sign(&Mechanism::Sha256RsaPkcs, message),
            RsaPkcs1Sha384 => sign(&Mechanism::Sha384RsaPkcs, message),
            RsaPkcs1Sha512 => sign(&Mechanism::Sha512RsaPkcs, message),
            RsaPssSha256 => {
                sign(&Mechanism::Sha256RsaPkcsPss(pss(MechanismType::SHA256, PkcsMgfType::MGF1_SHA256, 32)), message)
            }
            RsaPssSha384 => {
                sign(&Mechanism::Sha384RsaPkcsPss(pss(MechanismType::SHA384, PkcsMgfType::MGF1_SHA384, 48)), message)
            }
            RsaPssSha512 => {
                sign(&Mechanism::Sha512RsaPkcsPss(pss(MechanismType::SHA512, PkcsMgfType::MGF1_SHA512, 64)), message)
            }
            EcdsaSha256 | EcdsaSha384 | EcdsaSha512 => {
                // CKM_ECDSA signs a digest we compute; the token returns r ‖ s.
                let raw = sign(&Mechanism::Ecdsa, &scheme.digest().digest(message))?;
                if raw.is_empty() || raw.len() % 2 != 0 {
                    return Err(PkiError::Pkcs11("malformed ECDSA signature from the token".into()));
                }
                let (r, s) = raw.split_at(raw.len() / 2);
                EcdsaSignatureDer {
                    r: UintRef::new(r).map_err(PkiError::asn1("ECDSA r"))?,
                    s: UintRef::new(s).map_err(PkiError::asn1("ECDSA s"))?,
                }
                .to_der()
                .map_err(PkiError::asn1("ECDSA signature"))
            }
            Sm2Sm3 => Err(unsupported()),
        }
    }
}
