frappe.listview_settings["Loan Loss Provision"] = {
	onload(listview) {
		if (!frappe.user.has_role(["Finance", "Koperasi Admin", "System Manager"])) return;
		listview.page.add_inner_button(__("Compute Allowance"), () => {
			frappe.prompt(
				{
					fieldname: "posting_date",
					fieldtype: "Date",
					label: __("Posting Date"),
					default: frappe.datetime.get_today(),
					reqd: 1,
				},
				(values) =>
					frappe
						.call({
							method: "pinjaman_online.api.accounting.run_provisioning",
							args: values,
							freeze: true,
						})
						.then((r) => {
							const m = r.message;
							frappe.msgprint(
								m.journal_no
									? __("Allowance {0}: adjustment {1} posted in journal {2}", [
											format_currency(m.required, "IDR", 0),
											format_currency(m.adjustment, "IDR", 0),
											m.journal_no,
									  ])
									: __("Allowance {0}: already booked, nothing to post", [
											format_currency(m.required, "IDR", 0),
									  ])
							);
							listview.refresh();
						}),
				__("Compute Allowance for Losses"),
				__("Compute and Post")
			);
		});
	},
};
