frappe.listview_settings["KYC Submission"] = {
	add_fields: ["status", "needs_review", "ktp_image"],
	get_indicator(doc) {
		if (doc.status === "Verified") return [__("Verified"), "green", "status,=,Verified"];
		if (doc.status === "Rejected") return [__("Rejected"), "red", "status,=,Rejected"];
		if (doc.needs_review) return [__("Needs Review"), "orange", "needs_review,=,1"];
		if (!doc.ktp_image) return [__("Awaiting Documents"), "gray", "status,=,Pending"];
		return [__("Verifying"), "blue", "status,=,Pending"];
	},
};
