// A status change reads in the user's language: the statuses as the Loan's Status field shows them, the reason (English
// phrases joined by ": ", "payment: paid off") translated under the context "Loan status change"
// (servicing/state.py).
frappe.listview_settings["Loan Status Change"] = {
	formatters: {
		from_status: (value) => frappe.utils.escape_html(__(value || "", null, "Loan")),
		to_status: (value) => frappe.utils.escape_html(__(value || "", null, "Loan")),
		reason(value) {
			return frappe.utils.escape_html(
				String(value || "")
					.split(": ")
					.map((part) => __(part, null, "Loan status change"))
					.join(": ")
			);
		},
	},
};
