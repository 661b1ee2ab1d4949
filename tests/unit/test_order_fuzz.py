"""parse_order under fuzzing: whatever it is given, it maps the order or refuses it with a
MappingError naming the order and the field, never another exception; every malformed order
of a kind an importer must refuse is refused, and no valid order is."""

import json
import random
import re
from collections import Counter, defaultdict
from datetime import datetime, timezone

from amazon_connector.services.order_mapper import (
    MappingError,
    order_reference,
    parse_order,
    parse_packages,
)
from spapi_emulator.clock import parse_datetime as parse_emulator_time
from spapi_emulator.fuzz import MUTATIONS, malformed_orders, mutate, random_junk
from spapi_emulator.generator import DEFAULT_MARKETPLACE_IDS, evolve_orders, generate_orders
from spapi_emulator.ops.orders import matches, present

SEEDS = (1, 2, 3, 4)
PER_SEED = 300
UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def valid_orders():
    """Orders of every status, FBA and FBM, business and consumer, in every default
    marketplace, some of them changed since (evolve_orders)."""
    orders = generate_orders(
        seed=31,
        count=400,
        seller_id="A1FUZZ",
        fba_share=0.35,
        business_share=0.25,
        pending_share=0.1,
    )
    later = datetime(2026, 3, 3, 12, tzinfo=timezone.utc)
    evolve_orders(orders, random.Random(31), later, 80)
    return orders


VALID = valid_orders()


def outcome(payload, personal_data):
    """ "accepted", the MappingError, or the other exception raised."""
    try:
        parse_order(payload, personal_data=personal_data)
    except MappingError as error:
        return error
    except Exception as error:  # noqa: BLE001 - any other exception is what the test counts
        return error
    return "accepted"


def naming_problem(error, payload):
    """What is wrong with how a refusal names the order and the field, or None."""
    order, path = error.data.get("order"), error.data.get("field")
    if not isinstance(order, str) or not order or len(order) > 40 or UNPRINTABLE.search(order):
        return f"order {order!r}"
    if order != order_reference(payload):
        return f"order {order!r} is not the payload's {order_reference(payload)!r}"
    if not isinstance(path, str) or not path or UNPRINTABLE.search(path):
        return f"field {path!r}"
    for key in ("value", "allowed"):
        if key in error.data and UNPRINTABLE.search(error.data[key]):
            return f"{key} {error.data[key]!r}"
    return None


def test_valid_orders_of_every_kind_parse_with_and_without_personal_data():
    kinds = Counter()
    for payload in VALID:
        for personal_data in (True, False):
            result = outcome(payload, personal_data)
            assert result == "accepted", (payload["orderId"], result)
        kinds["status " + payload["fulfillment"]["fulfillmentStatus"]] += 1
        kinds["by " + payload["fulfillment"]["fulfilledBy"]] += 1
        kinds["business" if "AMAZON_BUSINESS" in payload.get("programs", ()) else "consumer"] += 1
        kinds["marketplace " + payload["salesChannel"]["marketplaceId"]] += 1
    statuses = {k for k in kinds if k.startswith("status ")}
    assert len(VALID) >= 300
    assert len(statuses) == 7, kinds
    assert {"by AMAZON", "by MERCHANT", "business", "consumer"} <= set(kinds), kinds
    assert {f"marketplace {m}" for m in DEFAULT_MARKETPLACE_IDS} <= set(kinds), kinds


def test_fuzzed_orders_are_mapped_or_refused_by_name_never_crash():
    payloads = [pair for seed in SEEDS for pair in malformed_orders(VALID, seed, PER_SEED)]
    counts = defaultdict(Counter)
    raw, misnamed, wrongly = [], [], []
    for label, payload in payloads:
        mutation = MUTATIONS[label]
        for personal_data in (True, False):
            result = outcome(payload, personal_data)
            if result == "accepted":
                counts[label]["accepted"] += 1
                if mutation.outcome == "refused":
                    wrongly.append((label, "accepted"))
                continue
            if not isinstance(result, MappingError):
                raw.append((label, type(result).__name__, str(result)[:200]))
                continue
            counts[label][result.code] += 1
            problem = naming_problem(result, payload)
            if problem:
                misnamed.append((label, problem, result.data))
            if mutation.outcome == "accepted" or (
                mutation.outcome == "refused" and result.code not in mutation.codes
            ):
                wrongly.append((label, result.code, result.data))
    report = "\n".join(f"{label}: {dict(counts[label])}" for label in sorted(counts))
    assert len(payloads) >= 1000
    assert set(counts) == set(MUTATIONS), f"mutations never run: {set(MUTATIONS) - set(counts)}"
    assert raw == [], f"raw exceptions: {raw[:10]}\n{report}"
    assert misnamed == [], f"refusals not naming order and field: {misnamed[:10]}\n{report}"
    assert wrongly == [], f"wrong outcomes: {wrongly[:10]}\n{report}"
    refused = sum(n for c in counts.values() for code, n in c.items() if code != "accepted")
    must_refuse = {label for label, m in MUTATIONS.items() if m.outcome == "refused"}
    assert len(must_refuse) > 100
    assert refused >= 2 * sum(1 for label, _ in payloads if label in must_refuse), report


def test_random_junk_anywhere_is_mapped_or_refused():
    rng = random.Random(5)
    payloads = [mutate(rng.choice(VALID), "junk_anywhere", rng) for _ in range(1500)]
    payloads += [random_junk(rng) for _ in range(300)]
    payloads += [None, [], "", "order", 0, 1.5, True, {}, {"orderId": None}, {"orderId": {}}]
    results = Counter()
    for payload in payloads:
        result = outcome(payload, personal_data=rng.random() < 0.5)
        if isinstance(result, MappingError):
            assert naming_problem(result, payload) is None, result.data
            results[result.code] += 1
        else:
            assert result == "accepted", (type(result).__name__, result)
            results["accepted"] += 1
    assert results["accepted"] and results["wrong_type"], results


def test_packages_of_fuzzed_orders_are_read_or_refused():
    rng = random.Random(9)
    shipped = [o for o in VALID if o.get("packages")]
    assert shipped
    read = refused = 0
    for _ in range(400):
        order = rng.choice(shipped)
        label = rng.choice(["junk_anywhere", "package_units_bad", "tracking_nul"])
        packages = mutate(order, label, rng).get("packages")
        try:
            parse_packages(packages, order["orderId"])
            read += 1
        except MappingError as error:
            assert error.data["order"] == order["orderId"]
            assert error.data["field"].startswith("packages")
            refused += 1
    assert read and refused


def test_fuzzing_is_deterministic_and_servable_orders_can_be_served():
    first, again = (malformed_orders(VALID, 7, 300) for _ in range(2))
    assert [label for label, _ in first] == [label for label, _ in again]
    assert repr(first) == repr(again)
    served = 0
    for label, payload in first:
        if not MUTATIONS[label].servable:
            continue
        # What searchOrders does with each stored order (spapi_emulator/ops/orders.py).
        parse_emulator_time(payload["lastUpdatedTime"])
        assert matches(payload, set(), {payload["salesChannel"]["marketplaceId"]}, set())
        shown = present(payload, {"BUYER", "RECIPIENT", "PROCEEDS", "PACKAGES"}, {"BUYER"})
        assert json.loads(json.dumps(shown))["orderId"] == payload["orderId"]
        served += 1
    assert served > 200
