frappe.listview_settings["Funder Settlement"] = {
	add_fields: ["status", "version"],
	get_indicator(doc) {
		const colors = { Draft: "orange", Submitted: "green", Superseded: "gray", Cancelled: "red" };
		const label = doc.version > 1 ? `${__(doc.status)} v${doc.version}` : __(doc.status);
		return [label, colors[doc.status] || "gray", `status,=,${doc.status}`];
	},
	onload(listview) {
		// Finance settles every funder of a month in a background job; Frappe's progress dialog follows it
		// ("2 of 5 funders", published by funding/settlement.py) and the list shows the settlements as they
		// are made, without a reload.
		if (!frappe.model.can_submit("Funder Settlement")) return;
		listview.page.add_inner_button(__("Run Month-End Settlement"), () => {
			const last_month = frappe.datetime.add_months(frappe.datetime.get_today(), -1).slice(0, 7);
			frappe.prompt(
				{
					fieldname: "period",
					fieldtype: "Data",
					label: __("Period (YYYY-MM)"),
					default: last_month,
					reqd: 1,
				},
				({ period }) =>
					frappe
						.xcall("pinjaman_online.api.funding.run_month_end", { period })
						.then((r) =>
							frappe.show_alert({
								message: __("Settlement of every funder for {0} started", [r.period]),
								indicator: "blue",
							})
						),
				__("Run Month-End Settlement"),
				__("Run")
			);
		});
	},
};
