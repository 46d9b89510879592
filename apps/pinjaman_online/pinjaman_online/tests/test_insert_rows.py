"""``pinjaman_online.utils.insert_rows``, the one bulk writer: named columns checked against the doctype,
values bound by the driver (exactly as given, whatever characters they hold), multi-row statements, upsert."""

import datetime
from decimal import Decimal

import frappe
from frappe.tests.utils import FrappeTestCase

from pinjaman_online.utils import STANDARD_FIELDS, insert_rows, table_columns

DOCTYPE = "Pension Cut Realisation"
COLUMNS = (
	*STANDARD_FIELDS,
	"import_line",
	"export_line",
	"period",
	"amount",
	"reversed_on",
	"installment_number",
)
AWKWARD = (
	'O\'Brien \\ "quoted"',
	"ifnull(x, 1) IFNULL( %s %(name)s",
	"ünïcødé — Rp 1.000,00; DROP TABLE `tabLoan`; --",
	"",
)


class TestInsertRows(FrappeTestCase):
	def setUp(self):
		self.tag = "TEST-INS-" + frappe.generate_hash(length=8)
		self.stamp = datetime.datetime(2026, 12, 5, 6, 0, 0, 123456)

	def tearDown(self):
		frappe.db.rollback()

	def row(self, n: int, text: str, amount, reversed_on=None) -> tuple:
		return (f"{self.tag}-{n}", "Administrator", "Administrator", self.stamp, self.stamp, 0, n, text,
			f"EL-{n}", "2026-12", amount, reversed_on, n)  # fmt: skip

	def stored(self) -> dict[str, tuple]:
		return {
			r[0]: r[1:]
			for r in frappe.db.sql(
				f"""SELECT name, import_line, amount, reversed_on, installment_number, creation, owner
				FROM `tab{DOCTYPE}` WHERE name LIKE %s""",
				f"{self.tag}-%",
			)
		}

	def test_values_are_stored_exactly_as_given(self):
		rows = [
			self.row(
				n, text, Decimal("123456789012.5") if n else Decimal(1_180_000), self.stamp if n else None
			)
			for n, text in enumerate(AWKWARD)
		]
		self.assertEqual(insert_rows(DOCTYPE, COLUMNS, rows, chunk_size=3), len(AWKWARD))
		stored = self.stored()
		for n, text in enumerate(AWKWARD):
			import_line, amount, reversed_on, number, creation, owner = stored[f"{self.tag}-{n}"]
			self.assertEqual((import_line, Decimal(amount), reversed_on, number, creation, owner),
				(text, rows[n][10], rows[n][11], n, self.stamp, "Administrator"))  # fmt: skip

	def test_columns_are_checked_before_anything_is_written(self):
		self.assertIn("export_line", table_columns(DOCTYPE))
		with self.assertRaisesRegex(ValueError, "no column no_such_column"):
			insert_rows(DOCTYPE, (*COLUMNS[:-1], "no_such_column"), [self.row(1, "x", 1)])
		with self.assertRaisesRegex(ValueError, "no column `name`"):
			insert_rows(DOCTYPE, ("`name`",), [("x",)])
		with self.assertRaisesRegex(ValueError, "one value for each"):
			insert_rows(DOCTYPE, COLUMNS, [self.row(1, "x", 1)[:-1]])
		self.assertEqual(self.stored(), {})
		self.assertEqual(insert_rows(DOCTYPE, COLUMNS, []), 0)

	def test_upsert_updates_existing_rows_and_keeps_the_kept_columns(self):
		insert_rows(DOCTYPE, COLUMNS, [self.row(1, "first", 100), self.row(2, "second", 200)])
		later = self.stamp + datetime.timedelta(days=1)
		again = [
			(f"{self.tag}-{n}", "someone@else", "someone@else", later, later, 0, n, text, f"EL-{n}", "2026-12",
				amount, None, n)
			for n, text, amount in ((2, "second, updated", 250), (3, "third", 300))
		]  # fmt: skip
		insert_rows(DOCTYPE, COLUMNS, again, upsert=True, keep=("owner", "creation"))
		stored = self.stored()
		self.assertEqual(stored[f"{self.tag}-1"][:2], ("first", Decimal(100)))
		self.assertEqual(
			(stored[f"{self.tag}-2"][:2], stored[f"{self.tag}-2"][4:]),
			(("second, updated", Decimal(250)), (self.stamp, "Administrator")),
		)
		self.assertEqual(stored[f"{self.tag}-3"][4:], (later, "someone@else"))
		with self.assertRaises(Exception) as ctx:  # without upsert an existing name is a duplicate
			insert_rows(DOCTYPE, COLUMNS, [self.row(1, "first", 100)])
		self.assertTrue(frappe.db.is_primary_key_violation(ctx.exception))
