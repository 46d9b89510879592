"""Adapters to outside providers (SMS, WhatsApp, email, e-KYC, credit bureau, payment gateway): one module per
kind; each reads its base URL and secret from Borrower Settings, so tests point them at
a local fake server."""
