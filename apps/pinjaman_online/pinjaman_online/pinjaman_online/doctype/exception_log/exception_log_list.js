// Open exceptions by severity (red for Critical down to grey for Low); resolved and ignored ones in green/grey.
const SEVERITY_COLOURS = { Critical: "red", High: "orange", Medium: "yellow", Low: "gray" };

frappe.listview_settings["Exception Log"] = {
	add_fields: ["severity", "status"],
	get_indicator(doc) {
		if (doc.status === "Resolved") return [__("Resolved"), "green", "status,=,Resolved"];
		if (doc.status === "Ignored") return [__("Ignored"), "gray", "status,=,Ignored"];
		return [__(doc.severity), SEVERITY_COLOURS[doc.severity] || "blue", `severity,=,${doc.severity}`];
	},
};
