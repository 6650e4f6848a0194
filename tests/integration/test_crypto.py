"""Tokens are encrypted at rest with Fernet; keys can rotate; a bad key is a clear start-up error."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from integration.crypto import TokenCipher
from integration.settings import ConfigError


def test_round_trip_and_ciphertext_hides_plaintext():
    cipher = TokenCipher(Fernet.generate_key().decode())
    sealed = cipher.encrypt("access-token-123")
    assert b"access-token-123" not in sealed
    assert cipher.decrypt(sealed) == "access-token-123"


def test_rotation_keeps_old_ciphertext_readable():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    sealed = TokenCipher(old).encrypt("refresh-456")
    rotated_cipher = TokenCipher(f"{new},{old}")
    assert rotated_cipher.decrypt(sealed) == "refresh-456"
    assert TokenCipher(new).decrypt(rotated_cipher.rotate(sealed)) == "refresh-456"


def test_wrong_key_is_refused():
    sealed = TokenCipher(Fernet.generate_key().decode()).encrypt("x")
    with pytest.raises(ValueError, match="does not match any TOKEN_ENCRYPTION_KEY"):
        TokenCipher(Fernet.generate_key().decode()).decrypt(sealed)


def test_malformed_key_is_a_config_error():
    with pytest.raises(ConfigError, match="TOKEN_ENCRYPTION_KEY must be"):
        TokenCipher("not-a-key")
