"""Secrets the platform must use again but not keep in the clear (a webhook's signing
secret): sealed with Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under a key
from the settings, so a copy of the database alone does not give them away."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken

from shared.settings import PlatformSettings


class Sealer:
    def __init__(self, key_material: str) -> None:
        # Fernet wants 32 bytes, url-safe base64: derived from the setting, whatever its form.
        key = base64.urlsafe_b64encode(hashlib.sha256(key_material.encode()).digest())
        self.fernet = Fernet(key)

    @classmethod
    def of(cls, settings: PlatformSettings) -> Sealer:
        return cls(settings.secrets_key or settings.internal_token_secret)

    def seal(self, secret: str) -> str:
        return self.fernet.encrypt(secret.encode()).decode()

    def unseal(self, sealed: str) -> str:
        try:
            return self.fernet.decrypt(sealed.encode()).decode()
        except InvalidToken as exc:
            raise ValueError(
                "a sealed secret did not open: the key changed or it was altered"
            ) from exc
