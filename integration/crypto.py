"""Encryption at rest for Procore tokens (Fernet; several comma-separated keys allow rotation)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from integration.settings import ConfigError


class TokenCipher:
    """Encrypts and decrypts secrets with the first key; decrypts with any listed key."""

    def __init__(self, keys: str) -> None:
        try:
            self._fernet = MultiFernet([Fernet(k.strip().encode()) for k in keys.split(",") if k.strip()])
        except (ValueError, TypeError) as exc:
            raise ConfigError(
                "TOKEN_ENCRYPTION_KEY must be one or more comma-separated Fernet keys "
                "(generate one with: python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())')"
            ) from exc

    def encrypt(self, plaintext: str) -> bytes:
        """Ciphertext of ``plaintext``."""
        return self._fernet.encrypt(plaintext.encode())

    def decrypt(self, ciphertext: bytes) -> str:
        """The plaintext, or ValueError when no configured key opens it."""
        try:
            return self._fernet.decrypt(ciphertext).decode()
        except InvalidToken as exc:
            raise ValueError("token ciphertext does not match any TOKEN_ENCRYPTION_KEY") from exc

    def rotate(self, ciphertext: bytes) -> bytes:
        """Re-encrypt ``ciphertext`` under the first (newest) key."""
        return self._fernet.rotate(ciphertext)
