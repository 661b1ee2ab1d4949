"""``python -m spapi_emulator``: run the emulator standalone with a demo seller.

The first line printed is the base URL; then the demo credentials (fixed, not secret), so a
local Odoo or script can connect. Serves until Ctrl-C.
"""

import argparse
import signal
import threading

from .generator import CATALOGUE
from .server import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Emulator

DEMO_SELLER_ID = "A1DEMOSELLER00"
DEMO_REFRESH_TOKEN = "Atzr|emulator-demo-refresh-token"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(prog="python -m spapi_emulator", description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=1, help="seed of the generated data")
    parser.add_argument("--orders", type=int, default=50, help="orders to generate per seller")
    parser.add_argument("--speed", type=float, default=1.0, help="emulated seconds per second")
    parser.add_argument("--token-ttl", type=int, default=3600, help="access token lifetime (s)")
    parser.add_argument(
        "--seller",
        action="append",
        default=[],
        metavar="ID",
        help="more seller ids (same app; refresh token printed); repeatable",
    )
    parser.add_argument(
        "--marketplace",
        action="append",
        default=[],
        metavar="MARKETPLACE_ID",
        help="marketplaces of the sellers (default: Germany and France); repeatable",
    )
    parser.add_argument(
        "--catalogue-offers",
        action="store_true",
        help="the demo seller offers every product of the generator's catalogue (from --seed)",
    )
    parser.add_argument(
        "--fba-share",
        type=float,
        default=0.2,
        help="share of the generated offers that Amazon fulfils",
    )
    parser.add_argument(
        "--application",
        metavar="APPLICATION_ID=REDIRECT_URI",
        help="an SP-API app (draft) whose consent page sends sellers back to REDIRECT_URI",
    )
    parser.add_argument(
        "--sqs-endpoint",
        metavar="URL",
        help="SQS-compatible server to deliver ORDER_CHANGE notifications to (e.g. moto's)",
    )
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    emulator = Emulator(
        seed=args.seed,
        speed=args.speed,
        token_ttl=args.token_ttl,
        sqs_endpoint=args.sqs_endpoint,
    )
    marketplaces = args.marketplace or ["A1PA6795UKMFR9", "A13V1IB3VIYZZH"]
    sellers = [
        emulator.add_seller(
            DEMO_SELLER_ID,
            "Demo Seller",
            marketplaces,
            granted_data=("BUYER", "RECIPIENT"),
            refresh_token=DEMO_REFRESH_TOKEN,
        )
    ]
    for index, seller_id in enumerate(args.seller, start=1):
        sellers.append(
            emulator.add_seller(
                seller_id,
                f"Seller {seller_id}",
                marketplaces,
                granted_data=("BUYER", "RECIPIENT"),
                refresh_token=f"{DEMO_REFRESH_TOKEN}-{index}",
            )
        )
    for offset, seller in enumerate(sellers):
        if args.orders:
            emulator.seed_orders(seller.seller_id, seed=args.seed + offset, count=args.orders)
    if args.catalogue_offers:
        emulator.seed_listings(
            DEMO_SELLER_ID, seed=args.seed, count=len(CATALOGUE), fba_share=args.fba_share
        )
    if args.application:
        application_id, _sep, redirect_uri = args.application.partition("=")
        emulator.register_application(
            application_id, [redirect_uri], name="Odoo Amazon Connector (demo)"
        )
    base_url = emulator.start(args.port)
    print(base_url, flush=True)
    print(f"client_id={DEFAULT_CLIENT_ID}")
    print(f"client_secret={DEFAULT_CLIENT_SECRET}")
    for seller in sellers:
        print(f"seller_id={seller.seller_id} refresh_token={seller.refresh_token}")
    print(
        f"control API: {base_url}/_emulator/calls (docs/emulator.md); Ctrl-C stops",
        flush=True,
    )
    # Ctrl-C and SIGTERM only set a flag: the emulator then stops from the main thread, never
    # from inside a signal handler that interrupted it.
    stopping = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopping.set())
    try:
        while not stopping.wait(0.5):
            pass
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
