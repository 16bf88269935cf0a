"""The domain: plain functions over a SQLModel Session. No Reflex imports here."""
