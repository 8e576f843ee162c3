"""The pure-Python RS256 signer against ``cryptography`` as the oracle."""

from __future__ import annotations

from typing import Any

import pytest
from anyllm_vertexai._rsa import load_private_key

from any_llm import errors

from .conftest import pem


@pytest.mark.parametrize("pkcs8", [True, False])
def test_signatures_verify_with_cryptography(rsa_key: Any, pkcs8: bool) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    key = load_private_key(pem(rsa_key, pkcs8))
    assert key.n == rsa_key.public_key().public_numbers().n
    for i in range(8):
        message = b"header.claims-%d" % i * (i + 1)
        rsa_key.public_key().verify(key.sign_sha256(message), message, padding.PKCS1v15(), hashes.SHA256())
        # deterministic scheme: blinding must not change the signature
        assert key.sign_sha256(message) == rsa_key.sign(message, padding.PKCS1v15(), hashes.SHA256())


def test_a_3072_bit_key(rsa_key: Any) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding, rsa

    big = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    signature = load_private_key(pem(big)).sign_sha256(b"m")
    assert len(signature) == 384
    big.public_key().verify(signature, b"m", padding.PKCS1v15(), hashes.SHA256())


@pytest.mark.parametrize(
    "text",
    [
        "",
        "-----BEGIN PRIVATE KEY-----\nnot base64!\n-----END PRIVATE KEY-----",
        "-----BEGIN PRIVATE KEY-----\nMIIBVAIBADANBgkqhkiG9w0BAQEFAAS=\n-----END PRIVATE KEY-----",
        "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----",
    ],
)
def test_bad_keys_are_configuration_errors_quoting_nothing(text: str) -> None:
    with pytest.raises(errors.ConfigurationError) as info:
        load_private_key(text)
    assert "MIIB" not in str(info.value) and "AAAA" not in str(info.value)
    assert repr(load_private_key) and "private_key" in str(info.value)
