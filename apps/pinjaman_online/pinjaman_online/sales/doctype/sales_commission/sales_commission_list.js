frappe.listview_settings["Sales Commission"] = {
	add_fields: ["status", "commission_type"],
	get_indicator(doc) {
		const colors = { Unpaid: "orange", Paid: "green", Reversed: "gray" };
		const label =
			doc.commission_type === "Clawback" ? `${__("Clawback")} ${__(doc.status)}` : __(doc.status);
		const color = doc.commission_type === "Clawback" && doc.status === "Unpaid" ? "red" : colors[doc.status];
		return [label, color || "gray", `status,=,${doc.status}`];
	},
};
