"""Make ``import pinjaman_online.lending`` work without installing the app (the core is Frappe-free)."""

import sys
from pathlib import Path

APP_ROOT = Path(__file__).resolve().parents[2] / "apps" / "pinjaman_online"
if str(APP_ROOT) not in sys.path:
	sys.path.insert(0, str(APP_ROOT))
