"""Odoo-free SP-API service layer: gateway, typed errors, rate limiter, payload mappers.

Nothing in this package imports Odoo, so it can be unit-tested and read on its own; the
models call it with plain values and turn its typed errors into user-facing messages.
"""
