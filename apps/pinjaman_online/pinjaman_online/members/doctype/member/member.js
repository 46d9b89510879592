// Member form: the Credit Analyst verifies or rejects the member's documents (with a note), and the form
// shows who decided on each document and when. The server decides who may: verify_document and
// reject_document require write access at permlevel 1 on Member.

frappe.ui.form.on("Member", {
	refresh(frm) {
		pinjaman_online_member.show_document_status(frm);
		if (frm.is_new() || !pinjaman_online_member.may_verify(frm) || !(frm.doc.documents || []).length) {
			return;
		}
		frm.add_custom_button(__("Verify / Reject Document"), () =>
			pinjaman_online_member.document_dialog(frm)
		);
		frm.change_custom_button_type(__("Verify / Reject Document"), null, "primary");
	},
});

const pinjaman_online_member = {
	may_verify(frm) {
		// permlevel-1 write on Member (the verification fields)
		return Boolean(frm.perm && frm.perm[1] && frm.perm[1].write);
	},

	row_label(row) {
		const file = (row.file || "").split("/").pop();
		const state = row.verified
			? __("verified")
			: row.verified_by
			? __("rejected")
			: __("not verified");
		return `${__(row.document_type)} (${row.idx}) — ${file} — ${state}`;
	},

	document_dialog(frm) {
		const rows = frm.doc.documents || [];
		const selected = frm.fields_dict.documents.grid.get_selected_children();
		const first = selected[0] || rows.find((r) => !r.verified) || rows[0];
		const d = new frappe.ui.Dialog({
			title: __("Verify / Reject Document"),
			fields: [
				{
					fieldname: "document",
					fieldtype: "Select",
					label: __("Document"),
					reqd: 1,
					options: rows.map((r) => ({ value: r.name, label: this.row_label(r) })),
					default: first && first.name,
				},
				{
					fieldname: "notes",
					fieldtype: "Small Text",
					label: __("Note for the Credit Analyst"),
					description: __("Required when rejecting: the reason the document is not accepted."),
				},
			],
			primary_action_label: __("Verify"),
			primary_action: (values) => this.decide(frm, d, "verify_document", values),
			secondary_action_label: __("Reject"),
			secondary_action: () => {
				const values = d.get_values();
				if (!values) return;
				if (!(values.notes || "").trim()) {
					frappe.msgprint({
						title: __("Reason required"),
						message: __("Write the reason the document is rejected."),
						indicator: "red",
					});
					return;
				}
				this.decide(frm, d, "reject_document", values);
			},
		});
		d.show();
	},

	decide(frm, dialog, method, values) {
		frappe
			.call({
				method: `pinjaman_online.api.members.${method}`,
				args: { member: frm.doc.name, document: values.document, notes: values.notes || "" },
				freeze: true,
				freeze_message: __("Saving…"),
			})
			.then((r) => {
				if (!r || !r.message) return;
				dialog.hide();
				frappe.show_alert({
					message:
						method === "verify_document"
							? __("Document verified by {0}", [frappe.user.full_name(r.message.verified_by)])
							: __("Document rejected by {0}", [frappe.user.full_name(r.message.rejected_by)]),
					indicator: method === "verify_document" ? "green" : "orange",
				});
				frm.reload_doc();
			});
	},

	show_document_status(frm) {
		const rows = frm.doc.documents || [];
		if (frm.is_new() || !rows.length) return;
		const lines = rows.map((r) => {
			const who = r.verified_by ? frappe.user.full_name(r.verified_by) : "";
			const when = r.verified_on ? frappe.datetime.str_to_user(r.verified_on) : "";
			let state;
			if (r.verified) {
				state = `<span class="indicator-pill green">${__("Verified")}</span> ${__(
					"by {0} on {1}",
					[frappe.utils.escape_html(who), when]
				)}`;
			} else if (r.verified_by) {
				state = `<span class="indicator-pill red">${__("Rejected")}</span> ${__(
					"by {0} on {1}",
					[frappe.utils.escape_html(who), when]
				)}`;
			} else {
				state = `<span class="indicator-pill orange">${__("Not verified")}</span>`;
			}
			const note = r.notes ? ` — ${frappe.utils.escape_html(r.notes)}` : "";
			return `<div class="member-document-status" data-document="${r.name}">
				<b>${__(r.document_type)}</b> (${r.idx}): ${state}${note}</div>`;
		});
		const all = frm.doc.documents_verified
			? `<div class="text-success">${__("All required documents are verified.")}</div>`
			: `<div class="text-warning">${__("Required documents are not all verified yet.")}</div>`;
		frm.dashboard.add_section(lines.join("") + all, __("Documents"));
		frm.dashboard.show();
	},
};
