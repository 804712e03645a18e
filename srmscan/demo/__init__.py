"""The built-in demo account: moto in-process, seeded with the brief's three incidents."""
