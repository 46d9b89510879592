frappe.listview_settings["Member"] = {
	add_fields: ["status", "documents_verified"],
	get_indicator(doc) {
		const colors = { Active: "green", Inactive: "gray", Deceased: "darkgrey" };
		return [__(doc.status), colors[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
