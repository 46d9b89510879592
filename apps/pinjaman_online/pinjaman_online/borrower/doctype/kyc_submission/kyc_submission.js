// KYC Submission: manual review by staff with write permission on the doctype (reviewer roles' DocPerm).
frappe.ui.form.on("KYC Submission", {
	refresh(frm) {
		if (frm.is_new() || !frm.perm[0] || !frm.perm[0].write) return;
		const has_documents = frm.doc.ktp_image && frm.doc.selfie_image;
		if (frm.doc.needs_review) {
			frm.dashboard.set_headline_alert(
				`<div class="text-warning">${__("Needs manual review")}: ${frappe.utils.escape_html(
					frm.doc.review_reason || ""
				)}</div>`
			);
		}
		if (frm.doc.status !== "Verified" && has_documents) {
			frm.add_custom_button(__("Approve"), () => {
				frappe.confirm(__("Verify this borrower's identity?"), () =>
					frm.call("approve").then(() => frm.reload_doc())
				);
			}, __("Review"));
		}
		if (frm.doc.status !== "Rejected") {
			frm.add_custom_button(__("Reject"), () => {
				frappe.prompt(
					{
						fieldname: "reason",
						fieldtype: "Small Text",
						label: __("Reason (shown to the borrower, in Indonesian)"),
						reqd: 1,
					},
					(values) => frm.call("reject", { reason: values.reason }).then(() => frm.reload_doc()),
					__("Reject KYC"),
					__("Reject")
				);
			}, __("Review"));
		}
		if (frm.doc.status === "Pending" && has_documents) {
			frm.add_custom_button(__("Retry e-KYC"), () =>
				frm.call("retry_verification").then(() => frm.reload_doc())
			, __("Review"));
		}
	},
});
