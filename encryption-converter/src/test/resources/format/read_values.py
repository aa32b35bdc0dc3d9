"""Reads fieldcrypt v1 text values with Python's cryptography, following FORMAT.md only.

Input lines: <key hex> <context> <base64url value>. Output: one line per value, the plaintext in
hex, or "FAIL" when it does not authenticate. Used by FormatVectorsTest to check that values
fieldcrypt writes (every path: short values, long values) are AES-256-GCM as FORMAT.md says.
"""
import base64
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.exceptions import InvalidTag


def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


for line in open(sys.argv[1], encoding="utf-8"):
    key_hex, context, text = line.rstrip("\n").split(" ")
    value = b64url(text)
    header, nonce, sealed = value[:6], value[6:18], value[18:]
    assert header[0] == 0xFC and header[1] == 0x01, "not a v1 AES-256-GCM value"
    try:
        plaintext = AESGCM(bytes.fromhex(key_hex)).decrypt(nonce, sealed, header + context.encode("utf-8"))
        print(plaintext.hex())
    except InvalidTag:
        print("FAIL")
