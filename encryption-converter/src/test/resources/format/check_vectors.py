"""Checks FORMAT.md's test vectors with Python's `cryptography` package, following FORMAT.md
alone (no fieldcrypt code): parse the value, rebuild the associated data, decrypt with AES-GCM,
compare with the plaintext, then encrypt again under the recorded nonce and compare the bytes.

Usage: python3 check_vectors.py FORMAT.md   -> prints "ok <n>" and exits 0, or explains and exits 1.
"""
import base64
import re
import sys

from cryptography.hazmat.primitives.ciphers.aead import AESGCM


def vectors(markdown):
    block = re.search(r"```vectors\n(.*?)```", markdown, re.S)
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


def main():
    found = list(vectors(open(sys.argv[1], encoding="utf-8").read()))
    for v in found:
        problem = check(v)
        if problem:
            print("vector %s: %s" % (v.get("vector"), problem))
            sys.exit(1)
    print("ok %d" % len(found))


if __name__ == "__main__":
    main()
