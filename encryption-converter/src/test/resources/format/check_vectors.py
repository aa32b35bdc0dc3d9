"""Checks FORMAT.md's test vectors with Python's `cryptography` package, following FORMAT.md
alone (no fieldcrypt code): parse the value, rebuild the associated data, decrypt with AES-GCM,
compare with the plaintext, then encrypt again under the recorded nonce and compare the bytes.
Deterministic vectors (algorithm 0x02): derive the keys with HKDF, recompute the synthetic nonce
with HMAC-SHA256 and the value with AES-GCM-SIV (cryptography 42 or later), compare the bytes.

Usage: python3 check_vectors.py FORMAT.md   -> prints "ok <n>" and exits 0, or explains and exits 1.
"""
import base64
import hashlib
import hmac
import re
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def vectors(markdown, name="vectors"):
    block = re.search(r"```" + name + r"\n(.*?)```", markdown, re.S)
    if not block:
        raise SystemExit("no ```vectors block in the file")
    for chunk in block.group(1).strip().split("\n\n"):
        yield {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in chunk.strip().splitlines())}


def check(v):
    key = bytes.fromhex(v["key"])
    value = bytes.fromhex(v["value-hex"])
    if v.get("value-text") is not None:
        text = v["value-text"]
        if "=" in text:
            return "value-text has padding"
        if base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)) != value:
            return "value-text is not base64url of value-hex"
    if value[0] != 0xFC or value[1] != 0x01:
        return "header is not 0xFC 0x01"
    if int.from_bytes(value[2:6], "big") != int(v["key-id"]):
        return "key id in the header differs"
    nonce = value[6:18]
    if nonce.hex() != v["nonce"]:
        return "nonce differs"
    aad = value[0:6] + v["context"].encode("utf-8")
    plaintext = AESGCM(key).decrypt(nonce, value[18:], aad)
    if plaintext.hex() != v["plaintext-hex"]:
        return "plaintext differs"
    if value[6:18] + AESGCM(key).encrypt(nonce, plaintext, aad) != value[6:]:
        return "re-encryption under the recorded nonce differs"
    try:
        AESGCM(key).decrypt(nonce, value[18:], value[0:6] + (v["context"] + "x").encode("utf-8"))
        return "decrypted under another context"
    except Exception:
        pass
    return None


def check_deterministic(v):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCMSIV
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF

    key = bytes.fromhex(v["key"])

    def derive(label):
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=label.encode("ascii")).derive(key)

    encryption_key = derive("fieldcrypt-v1 aes-256-gcm-siv encryption key")
    nonce_key = derive("fieldcrypt-v1 aes-256-gcm-siv nonce key")
    if encryption_key.hex() != v["encryption-key"] or nonce_key.hex() != v["nonce-key"]:
        return "derived keys differ"
    value = bytes.fromhex(v["value-hex"])
    if v.get("value-text") is not None:
        text = v["value-text"]
        if "=" in text or base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)) != value:
            return "value-text is not unpadded base64url of value-hex"
    header = bytes([0xFC, 0x02]) + int(v["key-id"]).to_bytes(4, "big")
    if value[0:6] != header:
        return "header is not 0xFC 0x02 key-id"
    plaintext = bytes.fromhex(v["plaintext-hex"])
    aad = header + v["context"].encode("utf-8")
    nonce = hmac.new(nonce_key, aad + plaintext, hashlib.sha256).digest()[:12]
    if nonce.hex() != v["nonce"] or value[6:18] != nonce:
        return "synthetic nonce differs"
    if AESGCMSIV(encryption_key).decrypt(nonce, value[18:], aad) != plaintext:
        return "plaintext differs"
    if header + nonce + AESGCMSIV(encryption_key).encrypt(nonce, plaintext, aad) != value:
        return "re-encryption differs"
    return None


def main():
    markdown = open(sys.argv[1], encoding="utf-8").read()
    found = list(vectors(markdown))
    for v in found:
        problem = check(v)
        if problem:
            print("vector %s: %s" % (v.get("vector"), problem))
            sys.exit(1)
    deterministic = list(vectors(markdown, "vectors-deterministic"))
    try:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCMSIV  # noqa: F401
    except ImportError:
        print("ok %d skipped-deterministic (AESGCMSIV needs cryptography 42 or later)" % len(found))
        return
    for v in deterministic:
        problem = check_deterministic(v)
        if problem:
            print("vector %s: %s" % (v.get("vector"), problem))
            sys.exit(1)
    print("ok %d %d" % (len(found), len(deterministic)))


if __name__ == "__main__":
    main()
