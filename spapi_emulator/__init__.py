"""A local Amazon Selling Partner API: a real HTTP server that behaves like SP-API.

See docs/emulator.md. Start it with ``python -m spapi_emulator --port 8765``.
"""
