// A status change reads in the user's language: the statuses as the Loan's Status field shows them, the
// reason as the form timeline shows it (pinjaman_online.status_change_reason, public/js/desk.js).
frappe.listview_settings["Loan Status Change"] = {
	formatters: {
		from_status: (value) => frappe.utils.escape_html(__(value || "", null, "Loan")),
		to_status: (value) => frappe.utils.escape_html(__(value || "", null, "Loan")),
		reason: (value) => frappe.utils.escape_html(pinjaman_online.status_change_reason(value)),
	},
};
