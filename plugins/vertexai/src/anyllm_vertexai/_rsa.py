"""RS256 (RSASSA-PKCS1-v1_5 with SHA-256, RFC 8017 section 8.2) in pure Python, for service-account JWTs.

Small on purpose: reading an unencrypted PKCS#8 or PKCS#1 PEM key (the form Google's service-account
files carry) and signing. No dependency is needed for one signature an hour. Hardening: the exponent is
applied to a blinded message (so timing does not follow the secret exponent's use on known input),
and the CRT result is checked against the public key before it leaves (a faulty CRT step would
otherwise leak a factor of the modulus). Tests verify signatures with ``cryptography`` as the oracle.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass

from any_llm import errors

__all__ = ["RSAPrivateKey", "load_private_key"]

_RSA_OID = bytes.fromhex("2a864886f70d010101")  # 1.2.840.113549.1.1.1 rsaEncryption
_SHA256_DIGEST_INFO = bytes.fromhex("3031300d060960864801650304020105000420")


@dataclass(frozen=True, repr=False)
class RSAPrivateKey:
    n: int
    e: int
    d: int
    p: int
    q: int
    dp: int
    dq: int
    qinv: int

    def __repr__(self) -> str:
        return f"RSAPrivateKey(bits={self.n.bit_length()})"

    def sign_sha256(self, message: bytes) -> bytes:
        """The RSASSA-PKCS1-v1_5 signature of ``message`` with SHA-256 (JWS "RS256")."""
        k = (self.n.bit_length() + 7) // 8
        t = _SHA256_DIGEST_INFO + hashlib.sha256(message).digest()
        if k < len(t) + 11:
            raise errors.ConfigurationError("the RSA key is too short for RS256")
        encoded = b"\x00\x01" + b"\xff" * (k - len(t) - 3) + b"\x00" + t
        m = int.from_bytes(encoded, "big")
        while True:
            r = secrets.randbelow(self.n - 2) + 2
            try:
                r_inv = pow(r, -1, self.n)
            except ValueError:  # r shares a factor with n: astronomically unlikely, pick another
                continue
            break
        blinded = (m * pow(r, self.e, self.n)) % self.n
        s1 = pow(blinded, self.dp, self.p)
        s2 = pow(blinded, self.dq, self.q)
        h = (self.qinv * (s1 - s2)) % self.p
        s = ((s2 + h * self.q) * r_inv) % self.n
        if pow(s, self.e, self.n) != m:
            raise errors.ConfigurationError("RSA signing failed its self-check; the private key is inconsistent")
        return s.to_bytes(k, "big")


def _read(der: bytes, pos: int, tag: int) -> tuple[bytes, int]:
    """The value of the DER element at ``pos`` (which must have ``tag``) and the position after it."""
    if pos + 2 > len(der) or der[pos] != tag:
        raise ValueError(f"expected DER tag {tag:#x} at {pos}")
    length = der[pos + 1]
    pos += 2
    if length & 0x80:
        size = length & 0x7F
        if not 0 < size <= 4:
            raise ValueError("bad DER length")
        length = int.from_bytes(der[pos : pos + size], "big")
        pos += size
    end = pos + length
    if end > len(der):
        raise ValueError("DER element runs past the end")
    return der[pos:end], end


def _integers(seq: bytes, count: int) -> list[int]:
    out, pos = [], 0
    for _ in range(count):
        value, pos = _read(seq, pos, 0x02)
        out.append(int.from_bytes(value, "big", signed=True))
    return out


def _pkcs1(der: bytes) -> RSAPrivateKey:
    seq, _ = _read(der, 0, 0x30)
    version, n, e, d, p, q, dp, dq, qinv = _integers(seq, 9)
    if version != 0 or min(n, e, d, p, q) <= 0 or p * q != n:
        raise ValueError("not a two-prime RSA private key")
    return RSAPrivateKey(n, e, d, p, q, dp, dq, qinv)


def _pkcs8(der: bytes) -> RSAPrivateKey:
    seq, _ = _read(der, 0, 0x30)
    _, pos = _read(seq, 0, 0x02)  # version
    algorithm, pos = _read(seq, pos, 0x30)
    oid, _ = _read(algorithm, 0, 0x06)
    if oid != _RSA_OID:
        raise ValueError("the key is not an RSA key")
    inner, _ = _read(seq, pos, 0x04)
    return _pkcs1(inner)


def load_private_key(pem: str) -> RSAPrivateKey:
    """An RSA private key from PEM text: ``BEGIN PRIVATE KEY`` (PKCS#8) or ``BEGIN RSA PRIVATE KEY`` (PKCS#1)."""
    lines = [line.strip() for line in pem.strip().splitlines() if line.strip()]
    try:
        begin = lines[0]
        body = base64.b64decode("".join(line for line in lines if not line.startswith("-----")), validate=True)
        if begin == "-----BEGIN PRIVATE KEY-----":
            return _pkcs8(body)
        if begin == "-----BEGIN RSA PRIVATE KEY-----":
            return _pkcs1(body)
        raise ValueError("not an unencrypted PKCS#8 or PKCS#1 PEM private key")
    except (ValueError, IndexError) as exc:
        # the message names what is wrong, never any of the key's text
        raise errors.ConfigurationError(
            f"the service account's private_key cannot be read ({str(exc).split(':')[0]}); download a new JSON "
            "key for the service account"
        ) from None
