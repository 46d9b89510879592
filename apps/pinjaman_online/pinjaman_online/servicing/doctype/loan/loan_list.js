frappe.listview_settings["Loan"] = {
	add_fields: ["status", "days_past_due"],
	get_indicator(doc) {
		const colors = {
			"Pending Disbursement": "orange",
			Active: doc.days_past_due > 0 ? "yellow" : "green",
			Closed: "gray",
			Default: "red",
			"Written Off": "darkgrey",
			Cancelled: "red",
		};
		const label = doc.status === "Active" && doc.days_past_due > 0 ? __("Overdue") : __(doc.status);
		return [label, colors[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
