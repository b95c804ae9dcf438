"""Customer emails: written to the outbox in the same transaction as what they announce
(outbox.py), sent later with retries (sending.py). No Flask views."""
