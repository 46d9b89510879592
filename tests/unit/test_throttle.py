"""Login throttle, OTP budgets and the client's address (lending/throttle.py)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pinjaman_online.lending import throttle as th

SETTINGS = settings(max_examples=300, deadline=None, database=None)
POLICY = th.LoginPolicy(free_attempts=5, base_delay=30, max_delay=900, account_ceiling=100, soft_delay=60)
policies = st.builds(
	th.LoginPolicy,
	free_attempts=st.integers(0, 20),
	base_delay=st.integers(0, 600),
	max_delay=st.integers(0, 7200),
	account_ceiling=st.integers(0, 1000),
	soft_delay=st.integers(0, 3600),
)


def test_backoff_starts_after_the_free_attempts_and_doubles_up_to_the_cap():
	assert [th.backoff_seconds(n, POLICY) for n in range(4, 12)] == [0, 30, 60, 120, 240, 480, 900, 900]
	assert th.backoff_seconds(10_000, POLICY) == 900


@SETTINGS
@given(policies, st.integers(0, 200))
def test_backoff_is_monotonic_and_bounded(policy, failures):
	now, later = th.backoff_seconds(failures, policy), th.backoff_seconds(failures + 1, policy)
	assert 0 <= now <= later <= max(policy.max_delay, 0)


@SETTINGS
@given(policies, st.integers(0, 50), st.integers(0, 10_000), st.booleans(), st.floats(0, 10_000))
def test_a_client_is_heard_again_after_its_wait(policy, failures, account_failures, known, elapsed):
	client = th.ClientState(failures=failures, last_failure=1_000_000.0)
	wait = th.wait_seconds(client, account_failures, known, 1_000_000.0, policy)
	assert 0 <= wait <= max(policy.max_delay, policy.soft_delay)
	assert th.wait_seconds(client, account_failures, known, 1_000_000.0 + wait, policy) == 0
	if elapsed < wait - 1:
		assert th.wait_seconds(client, account_failures, known, 1_000_000.0 + elapsed, policy) > 0


@SETTINGS
@given(policies, st.integers(0, 10_000))
def test_a_fresh_client_is_always_heard_whatever_others_did(policy, account_failures):
	"""No number of failures from other clients makes the owner's (or any new) client wait: no lockout."""
	for known in (True, False):
		assert th.wait_seconds(th.ClientState(), account_failures, known, 5.0, policy) == 0


def test_the_ceiling_slows_unknown_clients_only():
	client = th.ClientState(failures=1, last_failure=100.0)
	assert th.wait_seconds(client, 99, False, 101.0, POLICY) == 0
	assert th.wait_seconds(client, 100, False, 101.0, POLICY) == 59
	assert th.wait_seconds(client, 100, True, 101.0, POLICY) == 0


def test_an_address_over_its_ceiling_waits_for_the_rest_of_the_hour():
	policy = th.LoginPolicy(address_ceiling=3)
	assert th.address_wait_seconds(2, 1800.2, policy) == 0
	assert th.address_wait_seconds(3, 1800.2, policy) == 1801
	assert th.address_wait_seconds(9, -1, policy) == 0


def test_failures_accumulate():
	state = th.ClientState()
	for t in range(3):
		state = th.after_failure(state, float(t))
	assert state == th.ClientState(failures=3, last_failure=2.0)


OTP = th.OtpPolicy(per_client_per_hour=3, per_phone_per_hour=10, cooldown=60)


def test_otp_decisions():
	assert th.otp_send_decision(0, 0, None, OTP) == th.OTP_SEND
	assert th.otp_send_decision(3, 3, 3600, OTP) == th.OTP_CLIENT_BUDGET
	assert th.otp_send_decision(1, 1, 10, OTP) == th.OTP_COOLDOWN
	assert th.otp_send_decision(0, 10, 600, OTP) == th.OTP_PHONE_CEILING


@SETTINGS
@given(st.integers(1, 10), st.integers(0, 5), st.integers(0, 600))
def test_an_outsider_exhausts_only_its_own_otp_budget(per_client, outsiders, cooldown):
	"""However many times one outsider's client asks, it sends at most ``per_client`` codes; with a ceiling
	above what the outsiders' clients can use, the owner's client still gets a code after the cooldown."""
	policy = th.OtpPolicy(
		per_client_per_hour=per_client, per_phone_per_hour=per_client * 6, cooldown=cooldown
	)
	sent_to_phone = 0
	for _ in range(outsiders):
		sent_by_client = 0
		for _ in range(50):
			if th.otp_send_decision(sent_by_client, sent_to_phone, None, policy) == th.OTP_SEND:
				sent_by_client += 1
				sent_to_phone += 1
		assert sent_by_client == per_client
	assert th.otp_send_decision(0, sent_to_phone, cooldown, policy) == th.OTP_SEND


TRUSTED = ["127.0.0.1", "::1", "10.0.0.0/8"]


@pytest.mark.parametrize(
	"peer, xff, expected",
	[
		("203.0.113.9", None, "203.0.113.9"),
		("203.0.113.9", "1.2.3.4", "203.0.113.9"),  # untrusted peer: the header is ignored
		("127.0.0.1", "198.51.100.7", "198.51.100.7"),  # nginx on this host
		("127.0.0.1", "1.2.3.4, 198.51.100.7", "198.51.100.7"),  # the client's own entry is not trusted
		("127.0.0.1", "198.51.100.7, 10.1.2.3", "198.51.100.7"),  # a chain of trusted proxies
		("::1", "2001:db8::5", "2001:db8::5"),
		("::ffff:127.0.0.1", "198.51.100.7", "198.51.100.7"),
		("127.0.0.1", "garbage, 198.51.100.7", "198.51.100.7"),
		("127.0.0.1", "198.51.100.7, garbage", "127.0.0.1"),
		("127.0.0.1", "", "127.0.0.1"),
		("127.0.0.1", "10.0.0.1", "10.0.0.1"),
		(None, "1.2.3.4", "unknown"),
	],
)
def test_client_ip(peer, xff, expected):
	assert th.client_ip(peer, xff, TRUSTED) == expected


def test_client_ip_with_no_trusted_proxy_is_the_peer():
	assert th.client_ip("127.0.0.1", "198.51.100.7", []) == "127.0.0.1"
	assert th.client_ip("127.0.0.1", "198.51.100.7", "192.0.2.1, bogus") == "127.0.0.1"


@SETTINGS
@given(st.ip_addresses(v=4).map(str), st.lists(st.ip_addresses().map(str), max_size=5))
def test_an_untrusted_peer_can_never_choose_its_address(peer, spoofed):
	if peer.startswith(("127.", "10.")):
		return
	assert th.client_ip(peer, ", ".join(spoofed), TRUSTED) == peer
