"""Shared set-up for the Odoo suite: a real SP-API emulator over HTTP and a channel pointed at it."""

from odoo.tests.common import TransactionCase

from spapi_emulator.server import Emulator

SELLER_ID = "A1SELLERTEST"
CLIENT_ID = "amzn1.application-oa2-client.test"
CLIENT_SECRET = "test-client-secret"
REFRESH_TOKEN = "Atzr|test-refresh-token"
EU_MARKETPLACES = ["A1PA6795UKMFR9", "A1F83G8C2ARO7P", "A13V1IB3VIYZZH"]  # DE, GB, FR


class AmazonEmulatorCase(TransactionCase):
    """Starts one emulator per test class; each test gets a channel connected to it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.emulator = Emulator(seed=7)
        cls.base_url = cls.emulator.start(port=0)
        cls.addClassCleanup(cls.emulator.stop)
        cls.emulator.add_seller(
            SELLER_ID,
            "Test Shop EU",
            EU_MARKETPLACES,
            granted_data=("BUYER", "RECIPIENT"),
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            refresh_token=REFRESH_TOKEN,
        )

    def setUp(self):
        super().setUp()
        self.channel = self.env["amazon.channel"].create(
            {
                "seller_id": SELLER_ID,
                "region": "eu",
                "lwa_client_id": CLIENT_ID,
                "lwa_client_secret": CLIENT_SECRET,
                "refresh_token": REFRESH_TOKEN,
                "api_base_url": self.base_url,
                "lwa_token_url": f"{self.base_url}/auth/o2/token",
            }
        )
