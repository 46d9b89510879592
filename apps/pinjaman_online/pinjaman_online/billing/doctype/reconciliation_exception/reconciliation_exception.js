// Reconciliation Exception: resolve by hand (post on a loan, refund, dismiss), through the billing API.
frappe.ui.form.on("Reconciliation Exception", {
	refresh(frm) {
		if (frm.doc.status !== "Open" || !frm.perm[0].write) return;
		const reconcile = (action, values) =>
			frappe
				.xcall("pinjaman_online.api.billing.reconcile", { exception: frm.doc.name, action, ...values })
				.then(() => frm.reload_doc());
		frm.add_custom_button(__("Post on Loan"), () =>
			frappe.prompt(
				[
					{ fieldname: "loan", fieldtype: "Link", options: "Loan", label: __("Loan"), reqd: 1, default: frm.doc.loan },
					{ fieldname: "amount", fieldtype: "Currency", label: __("Amount"), default: frm.doc.amount },
					{ fieldname: "reason", fieldtype: "Small Text", label: __("Note") },
				],
				(values) => reconcile("post", values),
				__("Post the deduction on a loan")
			),
			__("Reconcile")
		);
		frm.add_custom_button(__("Refund"), () =>
			frappe.prompt(
				[
					{ fieldname: "member", fieldtype: "Link", options: "Member", label: __("Member"), reqd: 1, default: frm.doc.member },
					{ fieldname: "amount", fieldtype: "Currency", label: __("Amount"), default: frm.doc.amount },
					{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason"), reqd: 1 },
				],
				(values) => reconcile("refund", values),
				__("Refund the deduction")
			),
			__("Reconcile")
		);
		frm.add_custom_button(__("Dismiss"), () =>
			frappe.prompt(
				[{ fieldname: "reason", fieldtype: "Small Text", label: __("Reason"), reqd: 1 }],
				(values) => reconcile("dismiss", values),
				__("Dismiss the exception")
			),
			__("Reconcile")
		);
	},
});
