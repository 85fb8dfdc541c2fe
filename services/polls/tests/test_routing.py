"""The route table on its own: which action answers a method and a path, with no server."""
import unittest

from polls_service.routing import Route, route, under_mount


class Routing(unittest.TestCase):
    def test_pages_and_protocol_paths(self) -> None:
        self.assertEqual(route("GET", "/_dx/manifest"), Route("manifest"))
        self.assertEqual(route("HEAD", "/health"), Route("health"))
        self.assertEqual(route("GET", "/polls"), Route("page"))
        self.assertEqual(route("GET", "/polls/"), Route("page"))
        self.assertEqual(route("GET", "/polls/nothing"), Route("not_found"))

    def test_forms_are_refused_from_other_sites_first(self) -> None:
        self.assertEqual(route("POST", "/polls/polls"), Route("create", refuse_cross_site=True))
        self.assertEqual(route("POST", "/polls/polls/42/vote"), Route("vote", poll_id=42, refuse_cross_site=True))
        self.assertEqual(route("POST", "/polls/polls/x/vote"), Route("not_found", refuse_cross_site=True))
        self.assertEqual(route("DELETE", "/polls/polls/1"), Route("unsupported", refuse_cross_site=True))

    def test_the_fault_endpoint_takes_the_gateways_credential_instead(self) -> None:
        self.assertEqual(route("PUT", "/_dx/faults"), Route("faults"))
        self.assertEqual(route("GET", "/_dx/faults"), Route("not_found"))
        self.assertTrue(under_mount("/polls/polls/1/vote"))
        self.assertFalse(under_mount("/pollster"))


if __name__ == "__main__":
    unittest.main()
