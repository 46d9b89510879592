frappe.listview_settings["Loan Installment"] = {
	add_fields: ["status", "due_date"],
	get_indicator(doc) {
		const overdue = doc.status !== "Paid" && doc.status !== "Cancelled" && doc.due_date < frappe.datetime.get_today();
		if (overdue) return [__("Overdue"), "red", "status,!=,Paid"];
		const colors = { Unpaid: "orange", "Partially Paid": "yellow", Paid: "green", Cancelled: "gray" };
		return [__(doc.status), colors[doc.status] || "gray", `status,=,${doc.status}`];
	},
};
