frappe.query_reports["Audit Trail"] = {
	filters: [
		{ fieldname: "ref_doctype", label: __("Document Type"), fieldtype: "Link", options: "DocType" },
		{ fieldname: "docname", label: __("Document"), fieldtype: "Dynamic Link", options: "ref_doctype" },
		{ fieldname: "user", label: __("User"), fieldtype: "Link", options: "User" },
		{ fieldname: "from_date", label: __("From"), fieldtype: "Date" },
		{ fieldname: "to_date", label: __("To"), fieldtype: "Date" },
	],
};
