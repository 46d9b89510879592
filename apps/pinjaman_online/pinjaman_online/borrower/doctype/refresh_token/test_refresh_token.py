"""Access and refresh tokens (borrower): claims, rotation, revocation, the auth hook's verification."""

import re

import frappe
import jwt
from frappe.tests.utils import FrappeTestCase

from pinjaman_online.borrower import auth, registration
from pinjaman_online.borrower.doctype.kyc_submission.test_kyc_submission import make_registration
from pinjaman_online.lending import credentials as cred


class TestRefreshToken(FrappeTestCase):
	def setUp(self):
		self.user = verified_borrower()

	def test_tokens_carry_the_seed_claims_and_store_only_a_hash(self):
		tokens = auth.issue_tokens(self.user, "pwd")
		claims = auth.decode_access_token(tokens["access_token"])
		self.assertEqual(claims["sub"], self.user)
		self.assertEqual(claims["iss"], auth.settings().jwt_issuer)
		self.assertIn("Member", claims["roles"])
		self.assertIn("VIEW_LOAN", claims["permissions"])
		self.assertNotIn("CREATE_APPLICATION", claims["permissions"])
		self.assertIn("LMS", claims["modules"])
		self.assertEqual(claims["exp"] - claims["iat"], auth.settings().access_token_minutes * 60)
		self.assertFalse(frappe.db.exists("Refresh Token", {"token_hash": tokens["refresh_token"]}))
		self.assertTrue(
			frappe.db.exists("Refresh Token", {"token_hash": cred.token_hash(tokens["refresh_token"])})
		)

	def test_rotation_keeps_the_session_and_logout_ends_it(self):
		first = auth.issue_tokens(self.user, "pwd")
		second = auth.rotate(first["refresh_token"])
		sid = jwt.decode(first["access_token"], options={"verify_signature": False})["sid"]
		self.assertEqual(auth.decode_access_token(second["access_token"])["sid"], sid)
		statuses = frappe.get_all("Refresh Token", {"family": sid}, pluck="status", order_by="creation")
		self.assertEqual(sorted(statuses), ["Active", "Rotated"])

		auth.revoke_family(sid, "Logout")
		self.assertIsNone(auth.decode_access_token(second["access_token"]))
		self.assertRaises(auth.TokenError, auth.rotate, second["refresh_token"])

	def test_tampered_and_foreign_tokens_do_not_decode(self):
		token = auth.issue_tokens(self.user, "pwd")["access_token"]
		self.assertIsNotNone(auth.decode_access_token(token))
		claims = jwt.decode(token, options={"verify_signature": False})
		self.assertIsNone(auth.decode_access_token(jwt.encode(claims, "not-the-key", algorithm="HS256")))
		self.assertIsNone(auth.decode_access_token(token[:-2] + ("AA" if token[-2:] != "AA" else "BB")))
		expired = claims | {"exp": claims["iat"] - 1}
		self.assertIsNone(
			auth.decode_access_token(jwt.encode(expired, auth.signing_key(), algorithm="HS256"))
		)
		other_issuer = claims | {"iss": "someone-else"}
		self.assertIsNone(
			auth.decode_access_token(jwt.encode(other_issuer, auth.signing_key(), algorithm="HS256"))
		)

	def test_a_borrower_without_a_verified_phone_has_no_live_token(self):
		user = make_registration()[0]["user"]  # the OTP sent at registration is never entered
		tokens = auth.issue_tokens(user, "pwd")
		self.assertIsNone(auth.decode_access_token(tokens["access_token"]))
		self.assertRaises(auth.TokenError, auth.rotate, tokens["refresh_token"])


def verified_borrower() -> str:
	"""A self-registered borrower who entered the OTP sent at registration (the login policy refuses a
	borrower whose phone is not verified); returns the user."""
	reg, sent = make_registration()
	((phone, message),) = sent
	length = int(auth.settings().otp_length)
	code = re.search(rf"\b(\d{{{length}}})\b", message).group(1)
	registration.verify_otp(phone, code)
	return reg["user"]
