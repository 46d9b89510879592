"""The desk of online pricing and consents, as a Koperasi Admin: a product quoted per day (the annual rate is
computed and shown read-only), the OJK caps in Pinjaman Online Settings, and the consent texts as versions."""

import uuid
from urllib.parse import quote

from playwright.sync_api import expect


def test_daily_rate_product_caps_and_consent_texts(desk, desk_user, staff):
	product = staff["admin"].insert(
		"Loan Product",
		{
			"product_name": f"Pinjol Harian {uuid.uuid4().hex[:6]}",
			"product_type": "Online Loan",
			"identity_check": "KYC Submission",
			"repayment_method": "Bank Transfer",
			"min_principal": 1_000_000,
			"max_principal": 12_000_000,
			"min_tenor_months": 1,
			"max_tenor_months": 12,
			"check_dsr": 0,
			"check_benefit_coverage": 0,
			"interest_method": "Flat",
			"rate_basis": "Per Day",
			"daily_interest_rate": 0.1,
			"annual_interest_rate": 0,
			"rounding_unit": 100,
		},
	)
	assert product["annual_interest_rate"] == 36.5

	email, password = desk_user("kopadmin-pricing", "Koperasi Admin")
	d = desk(email, password)
	d.goto(f"/app/loan-product/{quote(product['name'])}")
	rate = d.page.locator('.frappe-control[data-fieldname="daily_interest_rate"]')
	expect(rate).to_be_visible()
	annual = d.page.locator('.frappe-control[data-fieldname="annual_interest_rate"]')
	expect(annual).to_contain_text("36")
	annual.scroll_into_view_if_needed()
	d.shot("product-quoted-per-day")

	d.goto("/app/pinjaman-online-settings")
	section = d.page.locator('.frappe-control[data-fieldname="ojk_benefit_cap_per_day"]')
	section.scroll_into_view_if_needed()
	expect(section).to_be_visible()
	d.shot("ojk-caps-in-settings")

	d.goto(f"/app/consent-text/{quote('Terms and Conditions v2026-01')}")
	expect(d.page.locator('.frappe-control[data-fieldname="text"]')).to_be_visible()
	d.shot("consent-text-version")
	d.goto("/app/consent-record")
	d.shot("consent-records")
