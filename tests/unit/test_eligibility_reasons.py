"""Pre-check reasons: English templates in the core, each with an Indonesian translation in locale/id.po that
keeps the same placeholders (the Frappe layer translates the template, then fills in the values)."""

import re
import string
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pinjaman_online.lending.eligibility import REASONS, EligibilityInput, check_eligibility

PO = Path(__file__).resolve().parents[2] / "apps/pinjaman_online/pinjaman_online/locale/id.po"
ENTRY = re.compile(r'^msgid "((?:[^"\\]|\\.)*)"\nmsgstr "((?:[^"\\]|\\.)*)"$', re.MULTILINE)


def placeholders(template: str) -> set[str]:
	return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@pytest.fixture(scope="module")
def translations() -> dict[str, str]:
	return {m.group(1): m.group(2) for m in ENTRY.finditer(PO.read_text(encoding="utf-8"))}


@pytest.mark.parametrize("key", sorted(REASONS))
def test_each_reason_has_an_indonesian_translation_with_the_same_placeholders(key, translations):
	template = REASONS[key]
	assert template in translations, f"{key}: no msgid in locale/id.po"
	assert translations[template] and translations[template] != template
	assert placeholders(translations[template]) == placeholders(template)


@pytest.mark.parametrize(
	("benefit", "active", "open_app"),
	[(Decimal(5_000_000), False, False), (Decimal(0), True, True), (Decimal(1_000_000), True, False)],
)
def test_every_reason_is_its_template_filled_in(benefit, active, open_app):
	result = check_eligibility(
		EligibilityInput(
			principal=Decimal(50_000_000),
			tenor_months=36,
			installment=Decimal(1_800_000),
			monthly_pension_benefit=benefit,
			other_monthly_obligations=Decimal(0),
			birth_date=date(1950, 1, 1),
			maturity_date=date(2030, 1, 1),
			dsr_limit_pct=Decimal("40.50"),
			max_age_at_maturity=75,
			has_active_loan=active,
			has_open_application=open_app,
		)
	)
	for check in result.checks:
		assert check.template in REASONS.values()
		assert check.reason == check.template.format(**check.params)
		assert set(check.params) == placeholders(check.template)
		assert "E+" not in check.reason  # percentages never in exponent form
