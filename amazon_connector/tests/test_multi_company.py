"""Multi-company: a user of company B reads nothing of company A's channels, not even a name."""

from odoo.exceptions import AccessError
from odoo.fields import Command
from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase

NAME_A = "Secret Shop of Company A"
NAME_B = "Shop of Company B"

# Every record a channel owns, directly or through its deliveries; each has a company rule.
CHANNEL_MODELS = (
    "amazon.channel",
    "amazon.status.mapping",
    "amazon.shipping.mapping",
    "amazon.carrier.mapping",
    "amazon.listing",
    "amazon.listing.update",
    "amazon.channel.marketplace",
    "amazon.package",
    "amazon.feed",
    "amazon.sync.log",
    "amazon.sync.log.line",
    "amazon.sync.schedule",
    "amazon.connect.request",
    "amazon.connect.failure",
)
# Amazon's reference data, the same for every company, and the database's one SP-API app.
SHARED_MODELS = ("amazon.marketplace", "amazon.app", "amazon.rate.budget")


@tagged("post_install", "-at_install", "amazon_connector")
class TestMultiCompany(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env["res.company"].create({"name": "Amazon Company A"})
        cls.company_b = cls.env["res.company"].create({"name": "Amazon Company B"})
        carrier_product = cls.env["product.product"].create(
            {"name": "DHL Paket", "type": "service"}
        )
        cls.carrier = cls.env["delivery.carrier"].create(
            {"name": "DHL Paket", "product_id": carrier_product.id, "delivery_type": "fixed"}
        )
        cls.records_a = cls.channel_records(cls.company_a, "A1COMPANYA", NAME_A)
        cls.records_b = cls.channel_records(cls.company_b, "A1COMPANYB", NAME_B)
        cls.channel_a = cls.records_a["amazon.channel"]
        cls.channel_b = cls.records_b["amazon.channel"]
        cls.manager_b = new_test_user(
            cls.env,
            login="amz_manager_company_b",
            groups="base.group_user,sales_team.group_sale_salesman_all_leads,stock.group_stock_user,"
            "amazon_connector.group_amazon_manager",
            company_id=cls.company_b.id,
            company_ids=[Command.set(cls.company_b.ids)],
        )
        cls.env_b = cls.env(
            user=cls.manager_b,
            context=dict(cls.env.context, allowed_company_ids=cls.company_b.ids),
        )

    @classmethod
    def channel_records(cls, company, seller_id, name):
        """A channel of ``company`` with a record of every model a channel owns."""
        env = cls.env(context=dict(cls.env.context, allowed_company_ids=company.ids))
        channel = env["amazon.channel"].create(
            {"name": name, "seller_id": seller_id, "region": "eu", "company_id": company.id}
        )
        product = env["product.product"].create(
            {"name": f"Widget {seller_id}", "default_code": f"SKU-{seller_id}"}
        )
        buyer = env["res.partner"].create({"name": f"Buyer {seller_id}"})
        order = env["sale.order"].create(
            {
                "partner_id": buyer.id,
                "company_id": company.id,
                "amazon_channel_id": channel.id,
                "amazon_order_ref": f"302-{seller_id}",
            }
        )
        warehouse = env["stock.warehouse"].search([("company_id", "=", company.id)], limit=1)
        delivery = env["stock.picking"].create(
            {
                "picking_type_id": warehouse.out_type_id.id,
                "partner_id": buyer.id,
                "sale_id": order.id,
            }
        )
        log = env["amazon.sync.log"].create({"channel_id": channel.id, "kind": "order_import"})
        log.add_message(f"Order of {name} failed", amazon_ref=f"302-{seller_id}")
        marketplace = env.ref("amazon_connector.marketplace_de")
        listing = env["amazon.listing"].create(
            {
                "channel_id": channel.id,
                "marketplace_id": marketplace.id,
                "sku": f"SKU-{seller_id}",
                "asin": f"B0{seller_id}",
                "product_id": product.id,
            }
        )
        connect_request, _token = env["amazon.connect.request"]._issue(channel, "link")
        return {
            "amazon.channel": channel,
            "amazon.connect.request": connect_request,
            "amazon.connect.failure": env["amazon.connect.failure"].create(
                {"request_id": connect_request.id, "reason": "denied", "remote_addr": "192.0.2.1"}
            ),
            "amazon.status.mapping": channel.status_mapping_ids,
            "amazon.shipping.mapping": env["amazon.shipping.mapping"].create(
                {
                    "channel_id": channel.id,
                    "service_level": "STANDARD",
                    "carrier_id": cls.carrier.id,
                }
            ),
            "amazon.carrier.mapping": env["amazon.carrier.mapping"].create(
                {"channel_id": channel.id, "carrier_id": cls.carrier.id, "shipping_method": "Paket"}
            ),
            "amazon.listing": listing,
            "amazon.listing.update": env["amazon.listing.update"].create(
                {"listing_id": listing.id, "via": "patch", "send_quantity": True, "quantity": 4}
            ),
            "amazon.channel.marketplace": env["amazon.channel.marketplace"].create(
                {"channel_id": channel.id, "marketplace_id": marketplace.id}
            ),
            "amazon.package": env["amazon.package"].create(
                {"picking_id": delivery.id, "tracking_number": f"JJD-{seller_id}"}
            ),
            "amazon.feed": env["amazon.feed"].create(
                {
                    "channel_id": channel.id,
                    "feed_type": "POST_ORDER_ACKNOWLEDGEMENT_DATA",
                    "document_ref": f"doc-{seller_id}",
                }
            ),
            "amazon.sync.log": log,
            "amazon.sync.log.line": log.line_ids,
            "amazon.sync.schedule": channel._sync_schedule("order_import"),
        }

    def as_b(self, records):
        return records.with_env(self.env_b)

    def test_every_amazon_model_is_covered_by_a_company_rule(self):
        stored = {
            name
            for name in self.env.registry
            if name.startswith("amazon.")
            and not self.env[name]._abstract
            and not self.env[name]._transient
        }
        self.assertEqual(stored - set(SHARED_MODELS), set(CHANNEL_MODELS), "models of this test")
        for model in CHANNEL_MODELS:
            with self.subTest(model=model):
                rules = self.env["ir.rule"].search(
                    [("model_id.model", "=", model), ("global", "=", True)]
                )
                self.assertTrue(
                    any("company_ids" in rule.domain_force for rule in rules),
                    f"{model} has a global multi-company rule",
                )
                self.assertTrue(self.records_a[model], "company A has such records")
                self.assertTrue(self.records_b[model], "company B has such records")

    def test_manager_of_b_finds_none_of_a_records_and_all_of_its_own(self):
        for model in CHANNEL_MODELS:
            with self.subTest(model=model):
                found = self.env_b[model].search([])
                self.assertFalse(found & self.records_a[model])
                self.assertEqual(found & self.records_b[model], self.records_b[model])
                self.assertFalse(
                    self.env_b[model].search_count([("id", "in", self.records_a[model].ids)])
                )

    def test_manager_of_b_cannot_read_a_records_by_id(self):
        for model in CHANNEL_MODELS:
            with self.subTest(model=model):
                records_a = self.as_b(self.records_a[model])
                with self.assertRaises(AccessError) as caught:
                    records_a.read(["create_date"])
                self.assertNotIn(NAME_A, str(caught.exception))
                self.assertFalse(records_a.has_access("read"))
                # its own records read fine
                self.assertEqual(
                    len(self.as_b(self.records_b[model]).read(["create_date"])),
                    len(self.records_b[model]),
                )

    def test_channel_name_of_a_is_not_reachable(self):
        Channel = self.env_b["amazon.channel"]
        self.assertFalse(Channel.name_search(NAME_A))
        self.assertEqual([name for _id, name in Channel.name_search("Shop")], [NAME_B])
        with self.assertRaises(AccessError):
            self.as_b(self.channel_a).mapped("name")
        for model in CHANNEL_MODELS:
            Model = self.env_b[model]
            if "channel_id" not in Model._fields:
                continue
            with self.subTest(model=model):
                # neither by the channel nor its name...
                self.assertFalse(Model.search([("channel_id", "=", self.channel_a.id)]))
                self.assertFalse(Model.search([("channel_id.name", "=", NAME_A)]))
                # ...nor in a list grouped by channel (the names are read as superuser)
                groups = Model.read_group([], ["channel_id"], ["channel_id"])
                self.assertEqual([g["channel_id"][1] for g in groups], [NAME_B])
                # B's own records name B's channel
                values = self.as_b(self.records_b[model]).read(["channel_id"])
                self.assertEqual({v["channel_id"][1] for v in values}, {NAME_B})
        # what points at a log names its channel: B sees only its own
        groups = self.env_b["amazon.sync.log.line"].read_group([], ["log_id"], ["log_id"])
        self.assertEqual(len(groups), 1)
        self.assertIn(NAME_B, groups[0]["log_id"][1])
        self.assertNotIn(
            NAME_A, " ".join(self.env_b["amazon.sync.log"].search([]).mapped("display_name"))
        )
        # packages through their delivery
        groups = self.env_b["amazon.package"].read_group([], ["picking_id"], ["picking_id"])
        self.assertEqual(
            [g["picking_id"][0] for g in groups], self.records_b["amazon.package"].picking_id.ids
        )
        # orders and deliveries of A's channel stay hidden too
        delivery_a = self.records_a["amazon.package"].picking_id
        delivery_b = self.records_b["amazon.package"].picking_id
        self.assertEqual(delivery_a.amazon_channel_id, self.channel_a)
        for model, record_b in (("sale.order", delivery_b.sale_id), ("stock.picking", delivery_b)):
            with self.subTest(model=model):
                Model = self.env_b[model]
                self.assertFalse(Model.search([("amazon_channel_id", "=", self.channel_a.id)]))
                self.assertEqual(
                    Model.search([("amazon_channel_id", "=", self.channel_b.id)]), record_b
                )
                groups = Model.read_group(
                    [("amazon_channel_id", "!=", False)],
                    ["amazon_channel_id"],
                    ["amazon_channel_id"],
                )
                self.assertEqual([g["amazon_channel_id"][1] for g in groups], [NAME_B])

    def test_manager_of_b_cannot_add_records_to_a_channel(self):
        channel_a = self.channel_a
        values = {
            "amazon.shipping.mapping": {
                "channel_id": channel_a.id,
                "service_level": "EXPEDITED",
                "carrier_id": self.carrier.id,
            },
            "amazon.carrier.mapping": {
                "channel_id": channel_a.id,
                "carrier_id": self.carrier.id,
                "marketplace_id": self.env["amazon.marketplace"].search([], limit=1).id,
                "shipping_method": "Express",
            },
            "amazon.listing": {
                "channel_id": channel_a.id,
                "marketplace_id": self.env.ref("amazon_connector.marketplace_de").id,
                "sku": "INJECTED",
                "product_id": self.records_b["amazon.listing"].product_id.id,
            },
            "amazon.listing.update": {
                "listing_id": self.records_a["amazon.listing"].id,
                "via": "patch",
            },
            "amazon.channel.marketplace": {
                "channel_id": channel_a.id,
                "marketplace_id": self.env.ref("amazon_connector.marketplace_fr").id,
            },
            "amazon.sync.schedule": {"channel_id": channel_a.id, "kind": "shipment"},
            "amazon.sync.log": {"channel_id": channel_a.id, "kind": "shipment"},
            "amazon.package": {"picking_id": self.records_a["amazon.package"].picking_id.id},
        }
        for model, vals in values.items():
            with (
                self.subTest(model=model),
                self.assertRaises(AccessError),
                self.env.cr.savepoint(),
            ):
                self.env_b[model].create(vals)
        status = self.records_a["amazon.status.mapping"][:1]
        with self.assertRaises(AccessError):
            self.as_b(status).write({"action": "skip"})
        with self.assertRaises(AccessError):
            self.as_b(self.records_a["amazon.sync.log.line"]).unlink()

    def test_manager_of_b_cannot_move_own_records_onto_a_channel(self):
        for model in (
            "amazon.status.mapping",
            "amazon.shipping.mapping",
            "amazon.carrier.mapping",
            "amazon.listing",
            "amazon.sync.schedule",
            "amazon.feed",
        ):
            # A's own rows would collide with B's on the unique keys before any rule is checked.
            self.env[model].search([("channel_id", "=", self.channel_a.id)]).unlink()
            record = self.as_b(self.records_b[model][:1])
            with (
                self.subTest(model=model),
                self.assertRaises(AccessError),
                self.env.cr.savepoint(),
            ):
                record.write({"channel_id": self.channel_a.id})
            self.assertEqual(record.channel_id, self.channel_b, model)
