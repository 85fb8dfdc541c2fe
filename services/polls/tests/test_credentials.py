"""The key derivation of docs/protocol.md §1.4, against the test vectors written there (the same table the TypeScript test reads)."""
import pathlib
import re
import unittest

from polls_service.faults import faults_credential
from polls_service.signing import credential_mac, purpose_key

SECRET = "0123456789abcdef0123456789abcdef"
PROTOCOL = pathlib.Path(__file__).resolve().parents[3] / "docs" / "protocol.md"


def vectors() -> list[tuple[str, str, str, str]]:
    table = PROTOCOL.read_text(encoding="utf-8").split("<!-- credential vectors")[1].split("\n\n")[0]
    rows = []
    for line in table.splitlines():
        if not re.match(r"^\| `[a-z-]+` \|", line):
            continue
        cells = [cell.strip().strip("`").replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
        purpose, message, key, mac = cells
        rows.append((purpose, message, key, mac))
    return rows


class CredentialVectors(unittest.TestCase):
    def test_every_vector_derives_the_same_key_and_mac(self):
        rows = vectors()
        self.assertEqual(len(rows), 9)
        for purpose, message, key, mac in rows:
            with self.subTest(purpose=purpose):
                self.assertEqual(purpose_key(SECRET, purpose).hex(), key)
                self.assertEqual(credential_mac(SECRET, purpose, message).hex(), mac)

    def test_fault_credential_vector(self):
        self.assertEqual(faults_credential(SECRET, "polls"), "-SpNMEwG1THmsVfQHVRhbZTmfqPLK4bsmX2iuNhg6Tg")


if __name__ == "__main__":
    unittest.main()
