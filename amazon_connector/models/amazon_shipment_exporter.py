from collections import defaultdict

from odoo import api, fields, models

from ..services import errors
from ..services.order_mapper import MappingError, parse_packages
from ..services.shipment import (
    Carrier,
    Package,
    ShipmentError,
    package_detail,
    refusal_code,
    split_tracking_numbers,
)


class AmazonShipmentExporter(models.AbstractModel):
    """Confirms validated deliveries to Amazon, one confirmShipment per package, exactly once.

    Why a package is never confirmed twice: each one is an ``amazon.package`` with its own
    packageReferenceId; it is committed as *sending* before the call and as *sent* after it.
    A run that finds a package still *sending* (the previous run died or timed out during the
    call) first asks Amazon whether the order holds that very package. Runs of one channel are
    serialised by an advisory lock, so the cron and the button never overlap.
    """

    _name = "amazon.shipment.exporter"
    _inherit = "amazon.sync.runner"
    _description = "Amazon Shipment Confirmation"
    _sync_kind = "shipment"

    # -- scheduling -----------------------------------------------------------------------------

    def _interval(self, channel):
        return channel.export_interval or 5

    def _due(self, channel, now):
        """Deliveries someone sent with the button go at once, whatever the interval."""
        return super()._due(channel, now) or bool(
            self._pending_pickings(channel, requested_only=True)
        )

    # -- the run --------------------------------------------------------------------------------

    def _pending(self, channel):
        return self._pending_pickings(channel)

    @api.model
    def _pending_pickings(self, channel, requested_only=False):
        domain = [
            ("amazon_channel_id", "=", channel.id),
            ("state", "=", "done"),
            ("amazon_sync_state", "=", "to_send"),
        ]
        if requested_only or not channel.shipment_auto_send:
            domain.append(("amazon_send_requested", "=", True))
        return self.env["stock.picking"].search(domain, order="date_done, id")

    def _process(self, run, pickings):
        for picking in pickings:
            run.counts[self._send_picking(run, picking)] += 1
            self._commit()

    def _summary(self, run):
        return self.env._(
            "%(sent)s delivery(ies) confirmed to Amazon, %(failed)s rejected.",
            sent=run.counts["sent"],
            failed=run.counts["failed"],
        )

    # -- one delivery ---------------------------------------------------------------------------

    def _send_picking(self, run, picking):
        """Confirm every package of the delivery; returns "sent" or "failed".

        Throttling and outages that outlast the gateway's retries propagate: the run stops
        and the delivery stays *to send* for the next one.
        """
        channel, gateway, log = run.channel, run.gateway, run.log
        order = picking.sale_id
        try:
            with self.env.cr.savepoint():
                packages = self._prepare_packages(channel, picking)
        except ShipmentError as error:
            return self._reject(picking, log, self.env["amazon.error"]._describe(error))
        self._commit()
        for package in packages:
            if package.amazon_sync_state == "sending" and self._amazon_holds(
                gateway, order, package
            ):
                package._amazon_sync_set("accepted")
                continue
            package._amazon_sync_set("sending")
            self._commit()
            try:
                gateway.confirm_shipment(
                    order.amazon_order_ref,
                    order.amazon_marketplace_id.amazon_id,
                    self._package_detail(channel, picking, package),
                )
            except (errors.BadRequest, errors.NotFound) as error:
                # A refusal may answer a retry whose first attempt Amazon did record (as a
                # duplicate, or as "quantity exceeds what is left"): Amazon's order decides.
                if self._amazon_holds(gateway, order, package):
                    package._amazon_sync_set("accepted")
                    continue
                amazon_says = error.amazon_message or self.env["amazon.error"]._describe(error)
                package._amazon_sync_set("rejected", amazon_says)
                refusal = errors.ServiceError(
                    refusal_code(error.amazon_message), amazon_message=amazon_says
                )
                return self._reject(picking, log, self.env["amazon.error"]._describe(refusal))
            package._amazon_sync_set("accepted")
            self._commit()
        sent = picking.amazon_package_ids.filtered(lambda p: p.amazon_sync_state == "accepted")
        picking._amazon_sync_set(
            "accepted",
            self.env._(
                "Amazon confirmed %(count)s package(s) with tracking number(s) %(numbers)s.",
                count=len(sent),
                numbers=", ".join(sent.mapped("tracking_number")),
            ),
        )
        return "sent"

    def _reject(self, picking, log, message):
        picking._amazon_sync_set("rejected", message)
        picking._amazon_shipment_rejected(message)
        log.add_message(f"{picking.name}: {message}", amazon_ref=picking.amazon_order_ref)
        return "failed"

    def _amazon_holds(self, gateway, order, package):
        """Whether Amazon recorded this very package (a call whose answer was lost): same
        reference, tracking number, items and units. Anything else Amazon holds under the
        reference is someone else's package, and this one was not confirmed."""
        try:
            amazon_order = gateway.get_order(order.amazon_order_ref, included_data=("PACKAGES",))
            shipped = parse_packages(amazon_order.get("packages"), order.amazon_order_ref)
        except (errors.BadRequest, errors.NotFound, MappingError):
            return False
        return any(package._amazon_matches(candidate) for candidate in shipped)

    def _package_detail(self, channel, picking, package):
        carrier = Carrier(
            package.carrier_code, package.carrier_name or "", package.shipping_method or ""
        )
        return package_detail(
            Package(package.reference, package.tracking_number, package.item_quantities),
            carrier,
            picking.date_done or fields.Datetime.now(),
            channel.ship_from_supply_source_id or None,
        )

    # -- packages -------------------------------------------------------------------------------

    def _prepare_packages(self, channel, picking):
        """The delivery's packages still to confirm, created from its move lines when needed.

        Packages Amazon may already hold (*sending*, *sent*) are kept as they are; the others
        are rebuilt, so a corrected carrier or tracking number is what goes out on a resend.
        """
        kept = picking.amazon_package_ids.filtered(
            lambda p: p.amazon_sync_state in ("sending", "accepted")
        )
        (picking.amazon_package_ids - kept).unlink()
        carrier = self._carrier(channel, picking)
        Package_ = self.env["amazon.package"]
        for stock_package, tracking, items in self._package_contents(picking):
            if kept.filtered(lambda p, sp=stock_package: p.stock_package_id == sp):
                continue
            new = Package_.create(
                {
                    "picking_id": picking.id,
                    "stock_package_id": stock_package.id,
                    "tracking_number": tracking,
                    "carrier_code": carrier.code,
                    "carrier_name": carrier.name,
                    "shipping_method": carrier.shipping_method,
                    "item_quantities": items,
                }
            )
            self._package_detail(channel, picking, new)  # raises ShipmentError if incomplete
        return picking.amazon_package_ids.filtered(lambda p: p.amazon_sync_state != "accepted")

    def _carrier(self, channel, picking):
        if not picking.carrier_id:
            raise ShipmentError("no_carrier")
        mapping = self.env["amazon.carrier.mapping"]._find(
            channel, picking.carrier_id, picking.sale_id.amazon_marketplace_id
        )
        if not mapping:
            raise ShipmentError(
                "unmapped_carrier", carrier=picking.carrier_id.name, channel=channel.name
            )
        return mapping._as_carrier()

    def _package_contents(self, picking):
        """[(stock package, tracking number, {order item id: units})] of the delivery.

        Odoo's carrier connectors write one tracking number per package, comma separated, in
        package order. One number for several packages confirms them as one shipment.
        """
        groups = defaultdict(lambda: defaultdict(float))
        for line in picking.move_line_ids.filtered(lambda ml: ml.quantity > 0):
            sale_line = line.move_id.sale_line_id
            if not sale_line.amazon_order_item_id:
                continue
            units = line.product_uom_id._compute_quantity(line.quantity, sale_line.product_uom)
            groups[line.result_package_id][sale_line.amazon_order_item_id] += units
        if not groups:
            raise ShipmentError("no_products")
        packages = sorted(groups, key=lambda p: (bool(p), p.name or "", p.id or 0))
        numbers = split_tracking_numbers(picking.carrier_tracking_ref)
        if len(numbers) <= 1 and len(packages) > 1:
            merged = defaultdict(float)
            for items in groups.values():
                for item_id, units in items.items():
                    merged[item_id] += units
            return [(self.env["stock.quant.package"], numbers[0] if numbers else "", merged)]
        if len(numbers) > 1 and len(numbers) != len(packages):
            raise ShipmentError(
                "tracking_count_mismatch",
                packages=len(packages),
                numbers=len(numbers),
                reference=picking.carrier_tracking_ref,
                names=", ".join(p.name or self.env._("no package") for p in packages),
            )
        numbers = numbers or [""]
        return [
            (package, numbers[index] if index < len(numbers) else "", dict(groups[package]))
            for index, package in enumerate(packages)
        ]
