"""Unified payment (统一支付): fees per item, payment orders, a provider interface, receipts, refunds
and reconciliation."""
