frappe.listview_settings["Funder Settlement"] = {
	add_fields: ["status", "version"],
	get_indicator(doc) {
		const colors = { Draft: "orange", Submitted: "green", Superseded: "gray", Cancelled: "red" };
		const label = doc.version > 1 ? `${__(doc.status)} v${doc.version}` : __(doc.status);
		return [label, colors[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
