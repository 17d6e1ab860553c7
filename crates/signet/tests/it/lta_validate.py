"""PAdES B-LTA check with pyHanko's AdES LTA validation, from embedded data only (no network).

Usage: python lta_validate.py SIGNED.pdf TRUST.pem
Prints one line per signature, `<field>: <indication> <sub-indication>`, then `LTA: PASSED` when
every (non-timestamp) signature passes, and exits 0 only then.
"""

import asyncio
import sys

from pyhanko.keys import load_certs_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESStatus
from pyhanko.sign.validation.ades import ades_lta_validation
from pyhanko.sign.validation.policy_decl import (
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import (
    CertRevTrustPolicy,
    RevocationCheckingPolicy,
    RevocationCheckingRule,
)
from pyhanko_certvalidator.registry import SimpleTrustManager


def spec(trust_pem):
    roots = list(load_certs_from_pemder([trust_pem]))
    # Revocation data is REQUIRED for every certificate, and may only come from the file.
    revinfo = CertRevTrustPolicy(
        RevocationCheckingPolicy(
            ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
            intermediate_ca_cert_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
        )
    )
    cert_policy = CertValidationPolicySpec(
        trust_manager=SimpleTrustManager.build(trust_roots=roots),
        revinfo_policy=revinfo,
    )
    return PdfSignatureValidationSpec(
        signature_validation_spec=SignatureValidationSpec(
            cert_validation_policy=cert_policy,
            revinfo_gathering_policy=RevocationInfoGatheringSpec(
                online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY,
            ),
        )
    )


async def main(path, trust_pem):
    validation_spec = spec(trust_pem)
    all_passed = True
    checked = 0
    with open(path, "rb") as f:
        reader = PdfFileReader(f)
        for sig in reader.embedded_regular_signatures:
            result = await ades_lta_validation(sig, validation_spec)
            status = result.ades_subindic.status
            print(f"{sig.field_name}: {status.name} {result.ades_subindic.name}"
                  + (f" ({result.failure_msg})" if result.failure_msg else ""))
            checked += 1
            all_passed = all_passed and status == AdESStatus.PASSED
    if checked and all_passed:
        print("LTA: PASSED")
        return 0
    print("LTA: NOT PASSED")
    return 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main(sys.argv[1], sys.argv[2])))
