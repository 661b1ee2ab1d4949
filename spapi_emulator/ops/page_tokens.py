"""Pagination tokens of the emulator: the state of a search, encoded and signed with the
emulator's secret, so that a client can neither forge nor alter one."""

import base64
import hashlib
import hmac
import json


def sign(emu, data: bytes) -> str:
    return hmac.new(emu.secret, data, hashlib.sha256).hexdigest()[:32]


def encode_token(emu, state: dict) -> str:
    data = base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode())
    return f"{data.decode()}.{sign(emu, data)}"


def signed_state(emu, token: str):
    """The state a token of ours carries, or None for anything we did not sign."""
    data, _, signature = token.partition(".")
    if not hmac.compare_digest(signature, sign(emu, data.encode())):
        return None
    return json.loads(base64.urlsafe_b64decode(data))  # signed by us: well-formed
