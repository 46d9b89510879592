frappe.query_reports["General Ledger"] = {
	filters: [
		{
			fieldname: "from_date",
			label: __("From Date"),
			fieldtype: "Date",
			default: frappe.datetime.month_start(),
			reqd: 1,
		},
		{
			fieldname: "to_date",
			label: __("To Date"),
			fieldtype: "Date",
			default: frappe.datetime.get_today(),
			reqd: 1,
		},
		{ fieldname: "account", label: __("Account"), fieldtype: "Link", options: "Ledger Account" },
		{ fieldname: "loan", label: __("Loan"), fieldtype: "Link", options: "Loan" },
		{ fieldname: "member", label: __("Member"), fieldtype: "Link", options: "Member" },
		{ fieldname: "voucher_no", label: __("Voucher"), fieldtype: "Data" },
		{ fieldname: "journal_no", label: __("Journal"), fieldtype: "Data" },
	],
	formatter(value, row, column, data, default_formatter) {
		if (column.fieldname === "voucher_no" && data && data.voucher_type && data.voucher_no) {
			const route = `/app/${frappe.router.slug(data.voucher_type)}/${encodeURIComponent(data.voucher_no)}`;
			return `<a href="${route}">${frappe.utils.escape_html(data.voucher_no)}</a>`;
		}
		if (["event", "voucher_type"].includes(column.fieldname) && value) {
			value = __(value); // the event and the voucher's doctype in the reader's language (Angsuran, not Repayment)
		}
		value = default_formatter(value, row, column, data);
		return data && data.bold ? `<b>${value}</b>` : value;
	},
	onload(report) {
		report.page.add_inner_button(__("Export Journal (CSV)"), () => {
			const params = new URLSearchParams({
				from_date: report.get_filter_value("from_date") || "",
				to_date: report.get_filter_value("to_date") || "",
			});
			window.open(
				`/api/method/pinjaman_online.api.accounting.export_journal?${params.toString()}`,
				"_blank"
			);
		});
	},
};
