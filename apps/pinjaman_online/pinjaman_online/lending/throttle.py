"""Login throttling, OTP budgets and the client's address, free of Frappe (stdlib only).

Design (OWASP ASVS 4.0 V2.2.1 and V11; OWASP "Slow Down Online Guessing Attacks with Device Cookies"):

- Failures are counted per *account and client*: a client is the request's address (taken from
  ``X-Forwarded-For`` only when the direct peer is a trusted proxy) together with the device id the client
  sends. After ``free_attempts`` failures a client waits ``base_delay × 2^(extra failures)`` seconds, capped at
  ``max_delay``, between attempts; a success from that client clears its count. An outsider who knows a
  phone number or an e-mail address therefore slows down only their own client, never the owner's.
- Each client address has an hourly ceiling of failures over all accounts (``address_ceiling``): an address
  that tries many accounts waits for the rest of the hour; only that address is affected, and there only
  clients that never logged in to the account they try (an office behind one NAT address keeps its devices).
- Each account also has a *ceiling*: beyond ``account_ceiling`` failures in the hour (from all clients), a
  client that never logged in to this account before waits at least ``soft_delay`` seconds between attempts.
  Clients that logged in to the account before (known clients) are not slowed by the ceiling. No attempt
  ever locks the account itself.
- OTP sends: a budget per phone and client address, a per-phone ceiling per hour, and a cooldown between two
  sends to the same phone. Codes already sent stay valid until they expire, so an outsider who asks for
  codes for someone else's phone neither exhausts the owner's budget nor invalidates the owner's code.
"""

import ipaddress
import math
from dataclasses import dataclass


@dataclass(frozen=True)
class LoginPolicy:
	"""The numbers of the login throttle (Borrower Settings). Seconds and counts, all ≥ 0."""

	free_attempts: int = 5  # failures per account and client before the backoff starts
	base_delay: int = 30  # first wait after ``free_attempts`` failures; doubles with each further failure
	max_delay: int = 900  # the longest wait of one client
	account_ceiling: int = 100  # failures per account per hour before unknown clients are slowed down
	soft_delay: int = 60  # wait of an unknown client between attempts once the ceiling is reached
	address_ceiling: int = 200  # failures from one client address per hour, over all accounts


@dataclass(frozen=True)
class ClientState:
	"""What is remembered of one client's attempts on one account: consecutive failures, last failure time."""

	failures: int = 0
	last_failure: float = 0.0  # epoch seconds


def backoff_seconds(failures: int, policy: LoginPolicy) -> int:
	"""The wait imposed after ``failures`` consecutive failures of one client: 0 while
	``failures < free_attempts``, then ``base_delay``, ``2·base_delay``, … up to ``max_delay``."""
	extra = failures - policy.free_attempts
	if extra < 0:
		return 0
	if extra > 40:  # 2^40 · base is beyond any cap; avoids huge integers
		return policy.max_delay
	return min(policy.max_delay, policy.base_delay * 2**extra)


def wait_seconds(
	client: ClientState, account_failures: int, known_client: bool, now: float, policy: LoginPolicy
) -> int:
	"""Seconds this client must still wait before its next attempt is heard (0 = it may try now).

	``account_failures``: failures of the account in the current hour from every client; ``known_client``:
	whether this client logged in to the account successfully before."""
	if client.failures <= 0:
		return 0
	wait = backoff_seconds(client.failures, policy)
	if account_failures >= policy.account_ceiling and not known_client:
		wait = max(wait, policy.soft_delay)
	if not wait:
		return 0
	remaining = client.last_failure + wait - now
	return max(0, math.ceil(remaining))


def address_wait_seconds(address_failures: int, window_remaining: float, policy: LoginPolicy) -> int:
	"""Seconds a client address must wait once its failures over all accounts reach ``address_ceiling`` in
	the current hour (credential stuffing from one address): the rest of that hour, else 0."""
	if address_failures < policy.address_ceiling:
		return 0
	return max(0, math.ceil(window_remaining))


def after_failure(client: ClientState, now: float) -> ClientState:
	"""The client's state after one more failure."""
	return ClientState(failures=client.failures + 1, last_failure=now)


# ---------------------------------------------------------------- OTP budgets


@dataclass(frozen=True)
class OtpPolicy:
	per_client_per_hour: int = 3  # SMS to one phone asked from one client address per hour
	per_phone_per_hour: int = 10  # SMS to one phone per hour, whoever asks
	cooldown: int = 60  # seconds between two SMS to the same phone


OTP_SEND, OTP_COOLDOWN, OTP_CLIENT_BUDGET, OTP_PHONE_CEILING = "send", "cooldown", "client", "ceiling"


def otp_send_decision(
	sent_by_client: int, sent_to_phone: int, seconds_since_last: float | None, policy: OtpPolicy
) -> str:
	"""Whether to send another OTP: ``send``, or the reason not to: ``client`` (this client's hourly budget
	for the phone is used up), ``cooldown`` (the phone had a code less than ``cooldown`` seconds ago) or
	``ceiling`` (the phone's hourly ceiling is reached). Counts are of the current hour, before this send.

	The client budget is checked first, so a client that exhausted its own budget cannot touch the phone's
	shared ceiling any further; the ceiling is larger than one client's budget."""
	if sent_by_client >= policy.per_client_per_hour:
		return OTP_CLIENT_BUDGET
	if seconds_since_last is not None and seconds_since_last < policy.cooldown:
		return OTP_COOLDOWN
	if sent_to_phone >= policy.per_phone_per_hour:
		return OTP_PHONE_CEILING
	return OTP_SEND


# ---------------------------------------------------------------- the client's address


def parse_networks(entries) -> list:
	"""Trusted proxies as networks: addresses (``127.0.0.1``, ``::1``) or CIDR ranges (``10.0.0.0/8``).
	Accepts a list or a comma-separated string; entries that are not addresses are ignored."""
	if isinstance(entries, str):
		entries = entries.split(",")
	networks = []
	for entry in entries or ():
		try:
			networks.append(ipaddress.ip_network(str(entry).strip(), strict=False))
		except ValueError:
			continue
	return networks


def _address(text: str):
	text = (text or "").strip()
	if text.startswith("[") and "]" in text:  # [v6]:port
		text = text[1 : text.index("]")]
	elif text.count(":") == 1:  # v4:port
		text = text.split(":", 1)[0]
	try:
		return ipaddress.ip_address(text)
	except ValueError:
		return None


def _trusted(address, networks) -> bool:
	if address is None:
		return False
	if address.version == 6 and address.ipv4_mapped:
		address = address.ipv4_mapped
	return any(address.version == n.version and address in n for n in networks)


def client_ip(peer: str | None, forwarded_for: str | None, trusted_proxies) -> str:
	"""The client's address: the socket peer, unless the peer is a trusted proxy; then the right-most
	address of ``X-Forwarded-For`` that is not itself a trusted proxy (addresses left of it were written by
	the client and prove nothing). A malformed entry stops the walk: the last address known good is used.

	``trusted_proxies``: a list (or comma-separated string) of addresses or CIDR ranges."""
	networks = parse_networks(trusted_proxies)
	peer_address = _address(peer or "")
	result = str(peer_address) if peer_address else (peer or "").strip() or "unknown"
	if not forwarded_for or not _trusted(peer_address, networks):
		return result
	for hop in reversed(forwarded_for.split(",")):
		address = _address(hop)
		if address is None:
			break
		result = str(address)
		if not _trusted(address, networks):
			break
	return result
