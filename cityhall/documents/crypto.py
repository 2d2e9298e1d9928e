"""Ed25519 keys and signatures, and the encryption of private keys at rest.

Private keys are encrypted with AES-256-GCM under a key-encryption key derived with HKDF-SHA256 from
the DOCUMENTS_KEY_ENCRYPTION_SECRET setting (or SECRET_KEY when it is not set), read at call time so
a rotated secret takes effect without a restart. The key's id is the AES-GCM associated data, so an
encrypted key copied onto another row does not decrypt.
"""

from __future__ import annotations

import base64
import hashlib
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

ENCRYPTION_PREFIX = "v1:"
_HKDF_INFO = b"cityhall.documents.signing-keys.v1"


class KeyDecryptionError(Exception):
    """The encrypted private key does not open with the configured secret."""


def _key_encryption_key() -> bytes:
    secret = getattr(settings, "DOCUMENTS_KEY_ENCRYPTION_SECRET", "") or settings.SECRET_KEY
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_HKDF_INFO).derive(secret.encode())


@dataclass(frozen=True, slots=True)
class NewKeyPair:
    public_key_b64: str
    fingerprint: str
    private_key: Ed25519PrivateKey


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint_of(raw_public_key: bytes) -> str:
    return hashlib.sha256(raw_public_key).hexdigest()


def generate_key_pair() -> NewKeyPair:
    private_key = Ed25519PrivateKey.generate()
    raw = raw_public(private_key.public_key())
    return NewKeyPair(public_key_b64=b64(raw), fingerprint=fingerprint_of(raw), private_key=private_key)


def encrypt_private_key(private_key: Ed25519PrivateKey, *, key_id: str) -> str:
    raw = private_key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    nonce = os.urandom(12)
    sealed = AESGCM(_key_encryption_key()).encrypt(nonce, raw, key_id.encode())
    return ENCRYPTION_PREFIX + b64(nonce + sealed)


def decrypt_private_key(encrypted: str, *, key_id: str) -> Ed25519PrivateKey:
    if not encrypted.startswith(ENCRYPTION_PREFIX):
        raise KeyDecryptionError("unknown private key format")
    blob = unb64(encrypted.removeprefix(ENCRYPTION_PREFIX))
    try:
        raw = AESGCM(_key_encryption_key()).decrypt(blob[:12], blob[12:], key_id.encode())
    except InvalidTag as error:
        raise KeyDecryptionError("the key-encryption secret does not open this key") from error
    return Ed25519PrivateKey.from_private_bytes(raw)


def sign(private_key: Ed25519PrivateKey, message: bytes) -> str:
    return b64(private_key.sign(message))


def verify(public_key_b64: str, signature_b64: str, message: bytes) -> bool:
    try:
        public_key = Ed25519PublicKey.from_public_bytes(unb64(public_key_b64))
        public_key.verify(unb64(signature_b64), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def chain_hash(prev_hash: str, entry: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + entry).hexdigest()
