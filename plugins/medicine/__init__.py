"""Sunshine medicine (阳光医药): listed prices, hospital orders, two invoices, payment on time."""
