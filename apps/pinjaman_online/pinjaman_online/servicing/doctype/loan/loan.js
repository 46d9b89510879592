// The Loan form: status, outstanding summary, repayment schedule and payment history, and the servicing
// actions (disburse, record payment, early settlement, restructure, penalty, reverse) for the roles that may
// take them. Figures come from pinjaman_online.api.loan_desk.loan_overview; actions post through
// pinjaman_online.api.servicing, which checks permissions and writes the loan's system fields.

(() => {
	const SERVICING = "pinjaman_online.api.servicing.";
	const CLOSED_STATES = ["Closed", "Written Off", "Cancelled"];
	const STATUS_COLORS = {
		"Pending Disbursement": "orange",
		Active: "green",
		Closed: "gray",
		Default: "red",
		"Written Off": "darkgrey",
		Cancelled: "red",
	};
	const INSTALLMENT_COLORS = { Paid: "green", "Partially Paid": "orange", Unpaid: "blue", Cancelled: "gray" };

	function rp(value) {
		return format_currency(value || 0, "IDR", 0);
	}

	function day(value) {
		return value ? frappe.datetime.str_to_user(value) : "";
	}

	function doc_link(doctype, name) {
		const url = `/app/${frappe.router.slug(doctype)}/${encodeURIComponent(name)}`;
		return `<a href="${url}" class="loan-action-link">${frappe.utils.escape_html(name)}</a>`;
	}

	function loan_indicator(doc) {
		const dpd = cint(doc.days_past_due);
		let label = __(doc.status, null, "Loan Status");
		let color = STATUS_COLORS[doc.status] || "gray";
		if (dpd > 0 && (doc.status === "Active" || doc.status === "Default")) {
			label += " · " + __("{0} days past due", [dpd]);
			if (doc.status === "Active") color = dpd > 90 ? "red" : "orange";
		}
		return [label, color];
	}

	function done(frm, message) {
		frappe.msgprint({ title: __("Done"), message, indicator: "green" });
		frm.reload_doc();
	}

	function post(method, args) {
		return frappe.call({ method: SERVICING + method, args, freeze: true, freeze_message: __("Posting…") });
	}

	frappe.ui.form.on("Loan", {
		setup(frm) {
			// Connections' "+" runs the matching action instead of opening an empty form
			frm.custom_make_buttons = {
				"Loan Disbursement": "Disburse",
				"Loan Payment": "Record Payment",
				"Loan Settlement": "Early Settlement",
				"Loan Restructure": "Propose Restructure",
				"Loan Penalty": "Manual Penalty",
				"Payment Reversal": "Reverse Newest Payment",
			};
		},

		refresh(frm) {
			if (frm.is_new()) return;
			const [label, color] = loan_indicator(frm.doc);
			frm.page.set_indicator(label, color);
			if (CLOSED_STATES.includes(frm.doc.status)) {
				frm.disable_form();
				frm.set_intro(__("This loan is {0}: it can no longer be changed.", [__(frm.doc.status)]), "blue");
			}
			if (frappe.boot.user.all_reports?.["Audit Trail"]) {
				// every change of the loan and of the documents that moved its money, as labels and states
				frm.add_custom_button(
					__("Audit Trail"),
					() =>
						frappe.set_route("query-report", "Audit Trail", {
							reference_doctype: "Loan",
							reference_name: frm.doc.name,
						}),
					__("View")
				);
			}
			frm.trigger("load_overview");
		},

		load_overview(frm) {
			frappe.call({
				method: "pinjaman_online.api.loan_desk.loan_overview",
				type: "GET",
				args: { loan: frm.doc.name },
				callback(r) {
					if (!r.message || r.message.status === undefined) return;
					frm.loan_overview = r.message;
				const [label, color] = loan_indicator({
					status: r.message.status,
					days_past_due: r.message.days_past_due,
				});
				frm.page.set_indicator(label, color);
					render_overview(frm, r.message);
					add_actions(frm, r.message);
					frm.dashboard.after_refresh();
				},
			});
		},
	});

	function panel(frm) {
		if (!frm.$loan_overview || !document.body.contains(frm.$loan_overview[0])) {
			frm.$loan_overview = $('<div class="loan-overview"></div>');
			const anchor = frm.fields_dict.section_terms && frm.fields_dict.section_terms.wrapper;
			if (anchor && $(anchor).length) {
				frm.$loan_overview.insertBefore($(anchor));
			} else {
				$(frm.layout.wrapper).prepend(frm.$loan_overview);
			}
		}
		return frm.$loan_overview;
	}

	function render_overview(frm, o) {
		const s = o.summary;
		const next = s.next_installment
			? `${rp(s.next_installment.amount)} · ${day(s.next_installment.due_date)} (#${s.next_installment.installment_number})`
			: "—";
		const figures = [
			[__("Outstanding Principal"), rp(s.outstanding_principal), "outstanding-principal"],
			[__("Due Now"), rp(s.due_now), "due-now"],
			[__("Overdue"), rp(s.overdue), "overdue"],
			[__("Next Installment"), next, "next-installment"],
			[__("Payoff Today"), s.payoff ? rp(s.payoff.total) : "—", "payoff"],
			[__("Days Past Due"), String(cint(o.days_past_due)), "dpd"],
		];
		const summary = figures
			.map(
				([label, value, key]) => `
				<div class="col-sm-4 col-md-2" style="margin-bottom: 10px">
					<div class="text-muted small">${label}</div>
					<div class="bold" data-figure="${key}">${value}</div>
				</div>`
			)
			.join("");

		const rows = o.installments
			.map((i) => {
				const color = i.overdue ? "red" : INSTALLMENT_COLORS[i.status] || "gray";
				const status = i.overdue ? `${__(i.status)} · ${__("Overdue")}` : __(i.status);
				return `<tr data-installment="${i.installment_number}" data-status="${i.status}">
					<td>${i.installment_number}</td>
					<td>${day(i.due_date)}</td>
					<td class="text-right">${rp(i.principal)}</td>
					<td class="text-right">${rp(i.interest)}</td>
					<td class="text-right">${rp(i.penalty)}</td>
					<td class="text-right">${rp(i.total)}</td>
					<td class="text-right">${rp(i.paid)}</td>
					<td class="text-right">${rp(i.outstanding)}</td>
					<td><span class="indicator-pill ${color}">${status}</span></td>
				</tr>`;
			})
			.join("");
		const schedule = o.installments.length
			? `<table class="table table-bordered table-sm loan-schedule" style="font-size: var(--text-sm)">
				<thead><tr>
					<th>#</th><th>${__("Due Date")}</th><th class="text-right">${__("Principal")}</th>
					<th class="text-right">${__("Interest")}</th><th class="text-right">${__("Penalty")}</th>
					<th class="text-right">${__("Total")}</th><th class="text-right">${__("Paid")}</th>
					<th class="text-right">${__("Remaining Due")}</th><th>${__("Status")}</th>
				</tr></thead><tbody>${rows}</tbody></table>`
			: `<p class="text-muted">${__("No schedule yet: it is made when the loan is booked.")}</p>`;

		const payments = o.payments.length
			? `<table class="table table-bordered table-sm loan-payments" style="font-size: var(--text-sm)">
				<thead><tr><th>${__("Payment")}</th><th>${__("Date")}</th><th class="text-right">${__("Amount")}</th>
					<th>${__("Channel")}</th><th>${__("Reference")}</th><th>${__("Status")}</th></tr></thead>
				<tbody>${o.payments
					.map(
						(p) => `<tr data-payment="${frappe.utils.escape_html(p.name)}">
						<td>${doc_link("Loan Payment", p.name)}</td><td>${day(p.posting_date)}</td>
						<td class="text-right">${rp(p.amount)}</td><td>${__(p.payment_method || "")}</td>
						<td>${frappe.utils.escape_html(p.reference_no || "")}</td>
						<td><span class="indicator-pill ${p.status === "Posted" ? "green" : "red"}">${__(
							p.status
						)}</span></td></tr>`
					)
					.join("")}</tbody></table>`
			: `<p class="text-muted">${__("No payments yet.")}</p>`;

		panel(frm).html(`
			<div class="form-section card-section" style="padding: var(--padding-md)">
				<div class="section-head">${__("Outstanding Summary")}</div>
				<div class="row loan-summary">${summary}</div>
			</div>
			<div class="form-section card-section" style="padding: var(--padding-md)">
				<div class="section-head">${__("Repayment Schedule")}</div>
				<div style="overflow-x: auto">${schedule}</div>
			</div>
			<div class="form-section card-section" style="padding: var(--padding-md)">
				<div class="section-head">${__("Payment History")}</div>
				<div style="overflow-x: auto">${payments}</div>
			</div>`);
	}

	function add_actions(frm, o) {
		const a = o.actions;
		const group = __("Actions");
		if (a.disburse) frm.add_custom_button(__("Disburse"), () => disburse_dialog(frm)).addClass("btn-primary");
		if (a.pay) frm.add_custom_button(__("Record Payment"), () => payment_dialog(frm)).addClass("btn-primary");
		if (a.settle) frm.add_custom_button(__("Early Settlement"), () => settlement_dialog(frm), group);
		if (a.restructure) frm.add_custom_button(__("Propose Restructure"), () => restructure_dialog(frm), group);
		if (a.penalize) frm.add_custom_button(__("Manual Penalty"), () => penalty_dialog(frm), group);
		if (a.reverse) frm.add_custom_button(__("Reverse Newest Payment"), () => reversal_dialog(frm), group);
	}

	function figures_html(o) {
		const s = o.summary;
		const next = s.next_installment
			? `${rp(s.next_installment.amount)} (${day(s.next_installment.due_date)})`
			: "—";
		const line = (label, value, key) =>
			`<tr><td class="text-muted">${label}</td><td class="text-right bold" data-figure="${key}">${value}</td></tr>`;
		return `<table class="table table-sm loan-due">
			${line(__("Due Now"), rp(s.due_now), "due-now")}
			${line(__("Overdue"), rp(s.overdue), "overdue")}
			${line(__("Next Installment"), next, "next-installment")}
			${line(__("Payoff Today"), s.payoff ? rp(s.payoff.total) : "—", "payoff")}
		</table>`;
	}

	function disburse_dialog(frm) {
		const d = new frappe.ui.Dialog({
			title: __("Disburse Loan {0}", [frm.doc.name]),
			fields: [
				{
					fieldtype: "HTML",
					fieldname: "info",
					options: `<p>${__("Net disbursement")}: <b>${rp(frm.doc.net_disbursement)}</b>
						(${__("principal")} ${rp(frm.doc.principal)} − ${__("fees")} ${rp(frm.doc.total_fees)})</p>
						<p class="text-muted">${__("Paid to the member's default bank account.")}</p>`,
				},
				{
					fieldtype: "Date",
					fieldname: "disbursement_date",
					label: __("Disbursement Date"),
					default: frappe.datetime.get_today(),
					reqd: 1,
				},
				{ fieldtype: "Data", fieldname: "reference_no", label: __("Transfer Reference") },
			],
			primary_action_label: __("Disburse"),
			primary_action(values) {
				post("disburse", { loan: frm.doc.name, ...values }).then((r) => {
					d.hide();
					const m = r.message;
					done(
						frm,
						__("Disbursement {0} posted: {1} to {2} {3}.", [
							doc_link("Loan Disbursement", m.name),
							rp(m.amount),
							frappe.utils.escape_html(m.bank_name || ""),
							frappe.utils.escape_html(m.account_number || ""),
						])
					);
				});
			},
		});
		d.show();
	}

	function payment_dialog(frm) {
		const o = frm.loan_overview;
		const s = o.summary;
		const suggested = flt(s.due_now) > 0 ? s.due_now : s.next_installment ? s.next_installment.amount : 0;
		const d = new frappe.ui.Dialog({
			title: __("Record Payment for {0}", [frm.doc.name]),
			fields: [
				{ fieldtype: "HTML", fieldname: "due", options: figures_html(o) },
				{
					fieldtype: "Currency",
					fieldname: "amount",
					label: __("Amount (Rp, whole Rupiah)"),
					precision: 0,
					reqd: 1,
					default: flt(suggested),
				},
				{
					fieldtype: "Date",
					fieldname: "posting_date",
					label: __("Payment Date"),
					default: frappe.datetime.get_today(),
					reqd: 1,
				},
				{ fieldtype: "Column Break" },
				{
					fieldtype: "Select",
					fieldname: "payment_method",
					label: __("Channel"),
					options: [
						{ value: "Bank Transfer", label: __("Bank Transfer") },
						{ value: "Cash", label: __("Cash") },
						{ value: "Pension Deduction", label: __("Pension Deduction") },
						{ value: "Payment Gateway", label: __("Payment Gateway") },
					],
					default: "Bank Transfer",
					reqd: 1,
				},
				{ fieldtype: "Data", fieldname: "reference_no", label: __("Reference") },
			],
			primary_action_label: __("Post Payment"),
			primary_action(values) {
				const amount = flt(values.amount);
				if (amount <= 0 || Math.round(amount) !== amount) {
					frappe.msgprint(__("Enter the amount in whole Rupiah, more than zero."));
					return;
				}
				post("pay", { loan: frm.doc.name, ...values, amount: String(amount) }).then((r) => {
					d.hide();
					const m = r.message;
					done(
						frm,
						__("Payment {0} posted: {1}.", [doc_link("Loan Payment", m.name), rp(m.amount)]) +
							`<br>${__("Outstanding now")}: ${rp(m.outstanding && m.outstanding.total)}`
					);
				});
			},
		});
		d.show();
	}

	function settlement_dialog(frm) {
		const d = new frappe.ui.Dialog({
			title: __("Early Settlement of {0}", [frm.doc.name]),
			fields: [
				{
					fieldtype: "Date",
					fieldname: "settlement_date",
					label: __("Settlement Date"),
					default: frappe.datetime.get_today(),
					reqd: 1,
					onchange: () => quote(),
				},
				{
					fieldtype: "Select",
					fieldname: "settled_by",
					label: __("Settled By"),
					options: [
						{ value: "Member", label: __("Member") },
						{ value: "Heirs", label: __("Heirs") },
						{ value: "Insurance", label: __("Insurance") },
					],
					default: "Member",
				},
				{ fieldtype: "Data", fieldname: "reference_no", label: __("Reference") },
				{ fieldtype: "HTML", fieldname: "quote" },
			],
			primary_action_label: __("Settle Loan"),
			primary_action(values) {
				frappe.confirm(__("Settle loan {0} and close it?", [frm.doc.name]), () =>
					post("settle", { loan: frm.doc.name, ...values }).then((r) => {
						d.hide();
						const m = r.message;
						done(
							frm,
							__("Settlement {0} posted: {1}; loan is now {2}.", [
								doc_link("Loan Settlement", m.name),
								rp(m.total_amount),
								__(m.loan_status),
							]) + (m.loan_payment ? `<br>${__("Payment")}: ${doc_link("Loan Payment", m.loan_payment)}` : "")
						);
					})
				);
			},
		});
		function quote() {
			const as_of = d.get_value("settlement_date");
			if (!as_of) return;
			frappe.call({
				method: SERVICING + "payoff",
				type: "GET",
				args: { loan: frm.doc.name, as_of },
				callback(r) {
					const q = r.message;
					if (!q) return;
					const line = (label, value, key) =>
						`<tr><td class="text-muted">${label}</td><td class="text-right" data-figure="${key}">${value}</td></tr>`;
					d.fields_dict.quote.$wrapper.html(`<table class="table table-sm payoff-quote">
						${line(__("Outstanding Principal"), rp(q.principal), "principal")}
						${line(__("Accrued Interest"), rp(q.interest), "interest")}
						${line(__("Unpaid Penalty"), rp(q.penalty), "penalty")}
						${line(__("Early Settlement Fee"), rp(q.early_settlement_fee), "fee")}
						${line(__("Interest Waived"), rp(q.waived_interest), "waived")}
						<tr><td class="bold">${__("Payoff Total")}</td><td class="text-right bold" data-figure="total">${rp(
							q.total
						)}</td></tr></table>`);
				},
			});
		}
		d.show();
		quote();
	}

	function restructure_dialog(frm) {
		const d = new frappe.ui.Dialog({
			title: __("Propose Restructure of {0}", [frm.doc.name]),
			fields: [
				{
					fieldtype: "Select",
					fieldname: "restructure_type",
					label: __("Restructure Type"),
					options: [
						{ value: "Tenor Extension", label: __("Tenor Extension") },
						{ value: "Rate Reduction", label: __("Rate Reduction") },
						{ value: "Payment Deferral", label: __("Payment Deferral") },
					],
					default: "Tenor Extension",
					reqd: 1,
				},
				{
					fieldtype: "Int",
					fieldname: "new_tenor_months",
					label: __("New Tenor (months)"),
					depends_on: "eval:doc.restructure_type=='Tenor Extension'",
				},
				{
					fieldtype: "Percent",
					fieldname: "new_annual_interest_rate",
					label: __("New Annual Interest Rate"),
					depends_on: "eval:doc.restructure_type=='Rate Reduction'",
				},
				{
					fieldtype: "Int",
					fieldname: "deferral_months",
					label: __("Deferral (months)"),
					depends_on: "eval:doc.restructure_type=='Payment Deferral'",
				},
				{
					fieldtype: "Date",
					fieldname: "effective_date",
					label: __("Effective Date"),
					default: frappe.datetime.get_today(),
				},
				{ fieldtype: "Small Text", fieldname: "reason", label: __("Reason"), reqd: 1 },
			],
			primary_action_label: __("Submit for Approval"),
			primary_action(values) {
				const args = { loan: frm.doc.name };
				Object.entries(values).forEach(([k, v]) => {
					if (v !== undefined && v !== null && v !== "" && v !== 0) args[k] = v;
				});
				post("restructure", args).then((r) => {
					d.hide();
					const m = r.message;
					done(
						frm,
						__("Restructure {0} proposed ({1}): new installment {2}, awaiting management approval.", [
							doc_link("Loan Restructure", m.name),
							__(m.workflow_state),
							rp(m.new_installment),
						])
					);
				});
			},
		});
		d.show();
	}

	function penalty_dialog(frm) {
		const d = new frappe.ui.Dialog({
			title: __("Manual Penalty on {0}", [frm.doc.name]),
			fields: [
				{
					fieldtype: "Currency",
					fieldname: "amount",
					label: __("Amount (Rp, whole Rupiah)"),
					precision: 0,
					reqd: 1,
				},
				{
					fieldtype: "Date",
					fieldname: "posting_date",
					label: __("Posting Date"),
					default: frappe.datetime.get_today(),
				},
				{ fieldtype: "Small Text", fieldname: "reason", label: __("Reason"), reqd: 1 },
			],
			primary_action_label: __("Add Penalty"),
			primary_action(values) {
				const amount = flt(values.amount);
				if (amount <= 0 || Math.round(amount) !== amount) {
					frappe.msgprint(__("Enter the amount in whole Rupiah, more than zero."));
					return;
				}
				post("penalize", { loan: frm.doc.name, ...values, amount: String(amount) }).then((r) => {
					d.hide();
					done(
						frm,
						__("Penalty {0} of {1} added to installment {2}.", [
							doc_link("Loan Penalty", r.message.name),
							rp(amount),
							frappe.utils.escape_html(r.message.loan_installment || ""),
						])
					);
				});
			},
		});
		d.show();
	}

	function reversal_dialog(frm) {
		const o = frm.loan_overview;
		const p = o.payments.find((x) => x.name === o.newest_payment);
		if (!p) return;
		const d = new frappe.ui.Dialog({
			title: __("Reverse Payment {0}", [p.name]),
			fields: [
				{
					fieldtype: "HTML",
					fieldname: "info",
					options: `<p>${__("Newest payment")}: ${doc_link("Loan Payment", p.name)} · ${day(
						p.posting_date
					)} · <b>${rp(p.amount)}</b> · ${__(p.payment_method || "")}</p>
					<p class="text-muted">${__(
						"The schedule and outstanding are restored; the payment stays on record as cancelled."
					)}</p>`,
				},
				{ fieldtype: "Small Text", fieldname: "reason", label: __("Reason"), reqd: 1 },
			],
			primary_action_label: __("Reverse Payment"),
			primary_action(values) {
				frappe.confirm(__("Reverse payment {0} of {1}?", [p.name, rp(p.amount)]), () =>
					post("reverse_payment", { loan_payment: p.name, reason: values.reason }).then((r) => {
						d.hide();
						done(
							frm,
							__("Payment {0} reversed by {1}.", [
								doc_link("Loan Payment", p.name),
								doc_link("Payment Reversal", r.message.name),
							])
						);
					})
				);
			},
		});
		d.show();
	}
})();
