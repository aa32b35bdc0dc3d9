"""Makes and reads Fernet tokens with Python's `cryptography` package (cryptography.fernet), the
independent implementation fieldcrypt's Fernet tests check against. No fieldcrypt code here.

Reads commands from stdin, one per line, fields separated by single spaces; binary fields are hex
with an "x" prefix (so that the empty value is "x"). Writes one line per command:

  encrypt KEY xPLAINTEXT                 -> the token (current time, random IV): Fernet(KEY).encrypt
  encrypt_at KEY xPLAINTEXT TIME xIV     -> Fernet(KEY)._encrypt_from_parts(PLAINTEXT, TIME, IV)
  decrypt KEYS TTL NOW TOKEN             -> "ok xPLAINTEXT" or "invalid"
                                            KEYS comma-separated (MultiFernet, first one tried first);
                                            TTL and NOW in seconds, "-" for none (then decrypt(token))
  generate_key                           -> Fernet.generate_key()

Prints nothing else; exits 2 on a command it does not understand.
"""
import sys

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


def unhex(field):
    if not field.startswith("x"):
        raise SystemExit("binary fields start with x")
    return bytes.fromhex(field[1:])


def run(fields):
    op = fields[0]
    if op == "encrypt":
        return Fernet(fields[1].encode()).encrypt(unhex(fields[2])).decode()
    if op == "encrypt_at":
        return Fernet(fields[1].encode())._encrypt_from_parts(unhex(fields[2]), int(fields[3]), unhex(fields[4])).decode()
    if op == "decrypt":
        keys = MultiFernet([Fernet(k.encode()) for k in fields[1].split(",")])
        token = fields[4].encode()
        try:
            if fields[2] == "-":
                plaintext = keys.decrypt(token)
            else:
                plaintext = keys.decrypt_at_time(token, int(fields[2]), int(fields[3]))
        except InvalidToken:
            return "invalid"
        return "ok x" + plaintext.hex()
    if op == "generate_key":
        return Fernet.generate_key().decode()
    sys.stderr.write("unknown command\n")
    raise SystemExit(2)


def main():
    out = []
    for line in sys.stdin.read().split("\n"):
        if line:
            out.append(run(line.split(" ")))
    sys.stdout.write("\n".join(out) + ("\n" if out else ""))


if __name__ == "__main__":
    main()
