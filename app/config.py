"""The one place configuration is read from the environment."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

DATABASE_URL: str = os.environ.get("DATABASE_URL") or f"sqlite:///{ROOT / 'store.db'}"
REDIS_URL: str | None = os.environ.get("REDIS_URL") or None
PORT: int = int(os.environ.get("PORT", "3000"))
BACKEND_PORT: int = int(os.environ.get("BACKEND_PORT", str(PORT)))

SESSION_DAYS: int = int(os.environ.get("SESSION_DAYS", "14"))
# Customer service and supervisors sign in for a working day at most.
STAFF_SESSION_HOURS: int = int(os.environ.get("STAFF_SESSION_HOURS", "12"))
CART_LOCK_MINUTES: int = int(os.environ.get("CART_LOCK_MINUTES", "30"))
CSR_SESSION_IDLE_MINUTES: int = int(os.environ.get("CSR_SESSION_IDLE_MINUTES", "30"))
# Whether customer service may shop on a customer's behalf (app/services/consent.py): "opt-out" (allowed until
# the customer switches it off), "opt-in" (refused until the customer switches it on), "always" (no switch).
ASSISTANCE_CONSENT: str = os.environ.get("ASSISTANCE_CONSENT", "opt-out").strip().lower()
if ASSISTANCE_CONSENT not in ("opt-out", "opt-in", "always"):
    raise ValueError(f"ASSISTANCE_CONSENT must be opt-out, opt-in or always, not {ASSISTANCE_CONSENT!r}")
# Whether customer service must also give the customer's verification code to open an account
# (app/services/assistcodes.py): "off" (consent is enough), "code" (the customer reads a 6-digit code from My
# Account, or has it mailed, and gives it to the CSR: proof that the caller on the phone is the customer).
ASSISTANCE_VERIFY: str = os.environ.get("ASSISTANCE_VERIFY", "off").strip().lower()
if ASSISTANCE_VERIFY not in ("off", "code"):
    raise ValueError(f"ASSISTANCE_VERIFY must be off or code, not {ASSISTANCE_VERIFY!r}")
# A verification code works once, for this many minutes; codes mailed at a CSR's request, per customer per hour.
ASSIST_CODE_MINUTES: int = 10
ASSIST_CODE_MAILS_PER_HOUR: int = int(os.environ.get("ASSIST_CODE_MAILS_PER_HOUR", "5"))
# The key of the codes' HMAC (only the HMAC is stored: a 6-digit code's plain hash is guessed offline at once).
# Without it, a random key is kept in ASSIST_CODE_KEY_FILE (created on first use, readable by the store only);
# every worker of a store must see the same key, so a cluster over several hosts sets ASSIST_CODE_SECRET.
ASSIST_CODE_SECRET: str | None = os.environ.get("ASSIST_CODE_SECRET") or None
ASSIST_CODE_KEY_FILE: Path = Path(os.environ.get("ASSIST_CODE_KEY_FILE") or ROOT / ".assist-code.key")
# A cart lock whose holder has had no page of the store open this long is released as abandoned.
CART_LOCK_ABANDON_SECONDS: int = int(os.environ.get("CART_LOCK_ABANDON_SECONDS", "120"))
# How often each backend worker looks for locks that ran out or were abandoned and idle sessions.
SWEEP_SECONDS: float = float(os.environ.get("SWEEP_SECONDS", "1"))
# Events a backend worker handles at once; more wait their turn before they take their tab's state lock, so
# under a rush a lock is held only while its event runs (app/serving.py `admit_events_in_turn`).
EVENTS_AT_ONCE: int = max(1, int(os.environ.get("EVENTS_AT_ONCE", "8")))

# Failed sign-ins to one email address (from browsers it does not trust) or from one trusted browser before
# it is paused, within how many minutes, and for how long (app/services/throttle.py, docs/SECURITY.md).
SIGNIN_MAX_FAILURES: int = 5
SIGNIN_WINDOW_MINUTES: int = 15
SIGNIN_SLOWDOWN_SECONDS: int = int(os.environ.get("SIGNIN_SLOWDOWN_SECONDS", "60"))
# A browser that signed in to an account is trusted by it (its `device` cookie) for this many days.
DEVICE_TRUST_DAYS: int = int(os.environ.get("DEVICE_TRUST_DAYS", "90"))
# Failed sign-ins from one source (client address; IPv6 by /64) in SIGNIN_SOURCE_WINDOW_MINUTES before the
# source is refused for SIGNIN_SOURCE_SLOWDOWN_SECONDS. Behind a reverse proxy set Reflex's
# `trusted_proxy_hops` (REFLEX_TRUSTED_PROXY_HOPS), or every customer shares the proxy's address.
SIGNIN_SOURCE_MAX_FAILURES: int = int(os.environ.get("SIGNIN_SOURCE_MAX_FAILURES", "20"))
SIGNIN_SOURCE_WINDOW_MINUTES: int = 5
SIGNIN_SOURCE_SLOWDOWN_SECONDS: int = int(os.environ.get("SIGNIN_SOURCE_SLOWDOWN_SECONDS", "300"))
# Forgot-password requests one source may make per hour (each address it asks for also gets at most
# PASSWORD_LINKS_PER_HOUR links per hour from that source).
FORGOT_PASSWORD_PER_SOURCE_PER_HOUR: int = int(os.environ.get("FORGOT_PASSWORD_PER_SOURCE_PER_HOUR", "10"))
# Forgot password answers no sooner than this after the request, for every address: the link row and its mail,
# which only an existing account gets, take a few milliseconds that would otherwise tell accounts apart.
FORGOT_PASSWORD_ANSWER_SECONDS: float = float(os.environ.get("FORGOT_PASSWORD_ANSWER_SECONDS", "0.25"))
# Coupon codes a customer may try that are not valid, within the window, before coupons are refused a while.
COUPON_MAX_GUESSES: int = 10
# Codes that are not valid tried from one source (client address), whichever customers it signs in as: one
# attacker with many accounts is slowed too. Higher than a customer's limit, since many share an address.
COUPON_SOURCE_MAX_GUESSES: int = int(os.environ.get("COUPON_SOURCE_MAX_GUESSES", "30"))
COUPON_GUESS_WINDOW_MINUTES: int = 15
COUPON_GUESS_PAUSE_MINUTES: int = 15

# Operations (docs/OPERATIONS.md): the name /health gives this server (default hostname:port), and how long it
# waits for the database and Redis before answering 503.
INSTANCE: str = os.environ.get("INSTANCE", "")
HEALTH_TIMEOUT_SECONDS: float = float(os.environ.get("HEALTH_TIMEOUT_SECONDS", "2"))
# An anonymous shopper's cart lives in a cookie that the browser keeps this many days (app/state/session.py);
# its cart code (app/services/cart_codes.py) is valid no longer than that after the cart last changed.
ANON_CART_DAYS: int = 30
# Cart codes customer service may enter that are not valid, within the window, before binding is refused a while.
CART_CODE_MAX_GUESSES: int = int(os.environ.get("CART_CODE_MAX_GUESSES", "10"))
CART_CODE_GUESS_WINDOW_MINUTES: int = 15
CART_CODE_GUESS_PAUSE_MINUTES: int = 15

# Where the store is reachable from a customer's browser: links in outbound mail start with it.
PUBLIC_URL: str = (os.environ.get("PUBLIC_URL") or f"http://localhost:{PORT}").rstrip("/")

# Outbound mail. There is no mail server: with MAIL_OUTBOX_DIR set each message is written there as a
# file (one .eml per message, like Django's file-based email backend); without it, it goes to the log.
MAIL_OUTBOX_DIR: str | None = os.environ.get("MAIL_OUTBOX_DIR") or None
MAIL_FROM: str = os.environ.get("MAIL_FROM", "Harbor & Pine <no-reply@harbor-and-pine.example>")

# One-time set-password links: a welcome link (account created by customer service) and a reset link
# (Forgot password, or sent by customer service), and how many links one account gets per hour.
PASSWORD_WELCOME_DAYS: int = int(os.environ.get("PASSWORD_WELCOME_DAYS", "7"))
PASSWORD_RESET_MINUTES: int = int(os.environ.get("PASSWORD_RESET_MINUTES", "60"))
PASSWORD_LINKS_PER_HOUR: int = int(os.environ.get("PASSWORD_LINKS_PER_HOUR", "3"))
# A customer's new email address takes effect when they open the link mailed to it, within this many hours
# (as many confirmation links per hour as PASSWORD_LINKS_PER_HOUR, counted apart from password links).
EMAIL_CHANGE_HOURS: int = int(os.environ.get("EMAIL_CHANGE_HOURS", "24"))

# Registering mails a link that finishes creating the account (app/services/registration.py); it expires after
# this many hours. One source may register this many times per hour, and each address it registers gets at
# most PASSWORD_LINKS_PER_HOUR mails per hour from that source.
REGISTER_CONFIRM_HOURS: int = int(os.environ.get("REGISTER_CONFIRM_HOURS", "24"))
REGISTER_PER_SOURCE_PER_HOUR: int = int(os.environ.get("REGISTER_PER_SOURCE_PER_HOUR", "10"))

# How much of what it adjusts (a line's price, the shipping, the order total) a CSR may take off, in percent;
# beyond it only a supervisor (`order.adjust_unlimited`) may, up to the whole amount (app/services/adjust_cap.py).
ADJUST_LIMIT_PERCENT: int = int(os.environ.get("ADJUST_LIMIT_PERCENT", "15"))
if not 0 <= ADJUST_LIMIT_PERCENT <= 100:
    raise ValueError(f"ADJUST_LIMIT_PERCENT must be 0 to 100, not {ADJUST_LIMIT_PERCENT}")
