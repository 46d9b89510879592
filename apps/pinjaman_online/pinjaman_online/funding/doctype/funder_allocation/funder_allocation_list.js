frappe.listview_settings["Funder Allocation"] = {
	add_fields: ["status", "allocation_type"],
	get_indicator(doc) {
		const colors = { Draft: "orange", Active: "green", Ended: "gray", Cancelled: "red" };
		return [__(doc.status), colors[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
