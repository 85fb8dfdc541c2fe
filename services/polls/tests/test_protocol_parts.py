"""The parts of the protocol Polls implements by hand, against the test vectors of docs/protocol.md."""
import os
import tempfile
import unittest

from polls_service.poll_input import InvalidInput, parse_new_poll
from polls_service.safety import back_path, is_cross_origin
from polls_service.secret import load_secret
from polls_service.signing import IdentityError, publish_credential, sign_channel_token, sign_page_session, verify_identity

SECRET = "0123456789abcdef0123456789abcdef"
IDENTITY = "eyJzdWIiOiJhbm9uOnNfMSIsInNpZCI6InNfMSIsImlhdCI6MTg5MzQ1NjAwMCwiZXhwIjoxODkzNDU2MzAwfQ.TKTOhj-c_Cj_OVPnkbCAg3WqZ0n1Obo_-ZeTJH0cURc"


class Signing(unittest.TestCase):
    def test_identity_vector_verifies_until_it_expires(self):
        identity = verify_identity(SECRET, IDENTITY, now=1893456100)
        self.assertEqual((identity.sub, identity.sid), ("anon:s_1", "s_1"))
        with self.assertRaisesRegex(IdentityError, "expired"):
            verify_identity(SECRET, IDENTITY, now=1893456301)

    def test_forged_or_malformed_identities_are_refused(self):
        payload, signature = IDENTITY.split(".")
        for token in (f"{payload}.{signature[:-2]}AA", f"{payload}x.{signature}", "no-dot", f"{payload}.{signature}.x", f"{payload}.!!"):
            with self.assertRaises(IdentityError, msg=token):
                verify_identity(SECRET, token, now=1893456100)
        with self.assertRaisesRegex(IdentityError, "share DX_SECRET"):
            verify_identity("x" * 32, IDENTITY, now=1893456100)

    def test_channel_token_vector(self):
        token = sign_channel_token(SECRET, "todo:list", "s_1", now=1894060800 - 7 * 24 * 3600)
        self.assertEqual(token, "1894060800.eI2NR9FEgs05OBM_ImPl7ofFBko8BkPEuK59GyCxUfk")

    def test_page_session_vector(self):
        self.assertEqual(sign_page_session(SECRET, "s_1"), "s_1.BdssfSU7JZRU1sX2QF6KvvhxgqYsSwCeo1xNvqAQC4g")

    def test_publish_credential_vector(self):
        self.assertEqual(publish_credential(SECRET, "polls"), "polls.71e7a8f6bbf98aa64f3abbd56475c498b1f1206b2538f04614f549b318e3adbf")


class NewPollRules(unittest.TestCase):
    def test_trims_and_drops_blank_lines(self):
        poll = parse_new_poll("  Lunch?  ", "\n Pizza \n\n Sushi\n")
        self.assertEqual((poll.question, poll.options), ("Lunch?", ["Pizza", "Sushi"]))

    def test_lengths_count_characters_not_bytes(self):
        self.assertEqual(len(parse_new_poll("é" * 200, "a\nb").question), 200)
        with self.assertRaisesRegex(InvalidInput, "201 characters long; the limit is 200"):
            parse_new_poll("é" * 201, "a\nb")

    def test_each_rule_names_what_to_fix(self):
        cases = [
            ("", "a\nb", "question", "Write a question first"),
            ("Q", "a", "options", "at least 2 options"),
            ("Q", "\n".join(str(i) for i in range(11)), "options", "at most 10 options; you gave 11"),
            ("Q", "a\n" + "b" * 101, "options", "Option 2 is 101 characters long"),
            ("Q", "Yes\nyes", "options", "Two options are the same"),
        ]
        for question, options, field, message in cases:
            with self.assertRaisesRegex(InvalidInput, message) as caught:
                parse_new_poll(question, options)
            self.assertEqual(caught.exception.field, field)


class Safety(unittest.TestCase):
    def test_cross_site_posts_are_detected(self):
        self.assertTrue(is_cross_origin("POST", {"sec-fetch-site": "cross-site"}))
        self.assertTrue(is_cross_origin("POST", {"sec-fetch-site": "same-site"}))
        self.assertFalse(is_cross_origin("POST", {"sec-fetch-site": "same-origin"}))
        self.assertTrue(is_cross_origin("POST", {"origin": "https://evil.example", "host": "localhost:4040"}))
        self.assertFalse(is_cross_origin("POST", {"origin": "http://localhost:4040", "host": "localhost:4040"}))
        self.assertFalse(is_cross_origin("GET", {"sec-fetch-site": "cross-site"}))
        self.assertFalse(is_cross_origin("POST", {}), "not from a browser")

    def test_back_path_never_leaves_the_site(self):
        self.assertEqual(back_path("http://localhost:4040/?tab=1", "/polls"), "/?tab=1")
        self.assertEqual(back_path("https://evil.example//evil.example/x", "/polls"), "/polls")
        self.assertEqual(back_path(None, "/polls"), "/polls")
        self.assertEqual(back_path("not a url", "/polls"), "/polls")


class Secret(unittest.TestCase):
    def test_made_once_then_read_back(self):
        with tempfile.TemporaryDirectory() as folder:
            made = load_secret({}, folder)
            self.assertEqual(len(made), 64)
            self.assertEqual(load_secret({}, folder), made)

    def test_an_empty_secret_file_stops_the_service_instead_of_signing_with_an_empty_key(self):
        with tempfile.TemporaryDirectory() as folder:
            open(os.path.join(folder, ".dx-secret"), "w").close()
            with self.assertRaisesRegex(SystemExit, "holds no usable secret.*delete it.*or set DX_SECRET"):
                load_secret({}, folder)


if __name__ == "__main__":
    unittest.main()
