"""Whitelisted endpoints (seed API tables). Shared helpers for their arguments live here.

Every endpoint is declared with its typed signature under two decorators::

	@frappe.whitelist(methods=["POST"])
	@endpoint
	def pay(loan: str, amount: Money, posting_date: Date | None = None) -> dict: ...

:func:`endpoint` checks the arguments against the signature before the body runs: a parameter without a
default is required (missing, ``None`` or blank text → 417 ``MISSING_ARGUMENT`` naming every missing one);
each value is converted by its annotation (:data:`Money`, ``int``, ``bool``, ``float``, ``str``, :data:`Date`,
:data:`Months`, :data:`Start`, :data:`Limit` …, see :mod:`pinjaman_online.lending.inputs`) and refused with a
417 and a code when it is of the wrong kind or out of range. Errors of the lending core raised by the body are
turned into 4xx by the same boundary (:func:`pinjaman_online.api.errors.throw`).

Frappe's own argument check (pydantic, from the annotations) would convert ``1e30`` to an int and ``1000.5``
to a message in English; :func:`endpoint` does not hand the annotations on, so only its own checks run.
"""

import functools
import inspect
import types
import typing
from decimal import Decimal
from typing import Annotated

import frappe
from frappe import _

from pinjaman_online.lending import inputs
from pinjaman_online.lending.errors import InvalidInput, LendingError


class Check:
	"""Annotation metadata: how one argument is checked (a function of ``lending.inputs`` and its bounds)."""

	def __init__(self, parse, **bounds):
		self.parse = parse
		self.bounds = bounds

	def __call__(self, value, name: str):
		return self.parse(value, name, **self.bounds)


Money = Annotated[Decimal, Check(inputs.whole_rupiah)]
"""Whole Rupiah, as an integer or text of digits; never a JSON float (``1000.5``, ``1e30``)."""

Months = Annotated[int, Check(inputs.whole_number, minimum=1, maximum=600)]
"""A whole number of months, 1–600 (``12.5`` refused)."""

Score = Annotated[int, Check(inputs.whole_number, minimum=0, maximum=100)]
"""A whole number 0–100."""

Start = Annotated[int, Check(inputs.whole_number, minimum=0, maximum=1_000_000)]
"""Pagination offset, 0–1,000,000."""

Limit = Annotated[int, Check(inputs.whole_number, minimum=0, maximum=1000)]
"""Page length, 0–1000 (0 where the endpoint documents it as everything)."""

Percent = Annotated[float, Check(inputs.decimal_number, minimum=0, maximum=100)]
"""A percentage 0–100, fractions allowed."""

Date = Annotated[str, Check(inputs.iso_date)]
"""A calendar date as ``YYYY-MM-DD``."""

DEFAULT_CHECKS = {
	str: Check(inputs.text),
	int: Check(inputs.whole_number),
	bool: Check(inputs.flag),
	float: Check(inputs.decimal_number, minimum=-inputs.MAX_RUPIAH, maximum=inputs.MAX_RUPIAH),
	Decimal: Check(inputs.whole_rupiah),
}


def _check_for(hint) -> Check | None:
	"""The Check of an annotation: ``X | None`` is X; ``Annotated[T, Check]`` its Check; else T's default."""
	if typing.get_origin(hint) in (typing.Union, types.UnionType):
		options = [a for a in typing.get_args(hint) if a is not type(None)]
		if len(options) != 1:
			return None
		hint = options[0]
	if typing.get_origin(hint) is Annotated:
		found = [m for m in hint.__metadata__ if isinstance(m, Check)]
		if found:
			return found[0]
		hint = typing.get_args(hint)[0]
	return DEFAULT_CHECKS.get(hint)


def _blank(value) -> bool:
	return value is None or (isinstance(value, str) and not value.strip())


def endpoint(fn):
	"""Decorator (below ``@frappe.whitelist()``): check and convert the arguments by the signature, refuse
	missing ones, and turn lending errors into 4xx responses. See the module docstring."""
	signature = inspect.signature(fn)
	hints = typing.get_type_hints(fn, include_extras=True)
	params = [
		(name, p.default is inspect.Parameter.empty, _check_for(hints.get(name)))
		for name, p in signature.parameters.items()
		if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
	]

	@functools.wraps(fn, assigned=("__module__", "__name__", "__qualname__", "__doc__"))
	def wrapper(*args, **kwargs):
		try:
			bound = signature.bind_partial(*args, **kwargs)
		except TypeError as exc:
			frappe.throw(str(exc), exc=frappe.ValidationError)
		values = bound.arguments
		missing = [name for name, required, _check in params if required and _blank(values.get(name))]
		try:
			if missing:
				raise InvalidInput(
					"Missing required field(s): {fields}", "MISSING_ARGUMENT", fields=", ".join(missing)
				)
			for name, required, check in params:
				if name not in values or check is None:
					continue
				value = values[name]
				if value is None or (check.parse is not inputs.text and _blank(value)):
					values[name] = None if required else signature.parameters[name].default
					continue
				values[name] = check(value, name)
			return fn(*bound.args, **bound.kwargs)
		except LendingError as exc:
			from pinjaman_online.api.errors import throw

			throw(exc)

	return wrapper


def require(**values):
	"""Refuse a call that lacks arguments it needs, with a 417 naming them, before anything runs.

	For endpoints whose parameters have a ``None`` default (:func:`endpoint` does this from the signature).
	``False`` and ``0`` count as given; ``None`` and empty strings do not. Raises frappe.ValidationError
	(HTTP 417) with code ``MISSING_ARGUMENT`` in the response."""
	missing = [name for name, value in values.items() if value is None or value == ""]
	if missing:
		frappe.local.response["code"] = "MISSING_ARGUMENT"
		frappe.throw(
			_("Missing required field(s): {0}").format(", ".join(missing)),
			title=_("Incomplete request"),
			exc=frappe.ValidationError,
		)
