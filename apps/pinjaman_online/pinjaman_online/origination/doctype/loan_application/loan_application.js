// Loan Application form: the simulation shown live while the application is typed, the first due date
// filled from the product's cut-off day, the Credit Analysis created from the application, and the
// committee's workflow actions with a confirmation (Approve) or a mandatory reason (Reject, Approve with
// Conditions). The server decides: the workflow's roles, one vote per person and the reason a Reject or
// Approve with Conditions needs (origination/utils.py), and the system fields.

const LA_COMMITTEE_STATES = ["Committee SPV", "Committee Manager", "Committee Director"];
const LA_VOTES = ["Approve", "Reject", "Approve with Conditions"];
const LA_REASON_DECISIONS = { Reject: "reject", "Approve with Conditions": "approve_with_conditions" };

frappe.ui.form.on("Loan Application", {
	setup(frm) {
		// Workflow buttons come from the server's transitions by role; a committee member who has already
		// voted on this application is not offered a second vote (the server refuses it as well).
		const add_action_item = frm.page.add_action_item.bind(frm.page);
		frm.page.add_action_item = (label, click, standard) => {
			if (la.already_voted(frm) && LA_VOTES.map((a) => __(a)).includes(label)) return;
			return add_action_item(label, click, standard);
		};
	},

	onload(frm) {
		if (frm.is_new()) la.default_first_due_date(frm);
	},

	refresh(frm) {
		la.show_simulation(frm);
		la.analysis_buttons(frm);
		la.credit_engine_button(frm);
		la.decision_intro(frm);
		if (la.already_voted(frm)) {
			frm.set_intro(
				__("You have already voted on this application; the next level needs another person."),
				"blue"
			);
		}
	},

	application_date: (frm) => la.default_first_due_date(frm),
	loan_product(frm) {
		la.default_first_due_date(frm);
		la.simulate_soon(frm);
	},
	principal: (frm) => la.simulate_soon(frm),
	tenor_months: (frm) => la.simulate_soon(frm),
	first_due_date(frm) {
		// a date the clerk typed is kept; one filled from the product follows the product and the date
		if (frm.doc.first_due_date !== frm._la_due_auto) frm._la_due_auto = null;
		la.simulate_soon(frm);
	},

	before_workflow_action(frm) {
		const action = frm.selected_workflow_action;
		if (action === "Approve") {
			frappe.dom.unfreeze();
			return new Promise((resolve) => {
				frappe.confirm(
					__("Approve application {0} for {1} ({2})?", [
						frm.doc.name,
						frappe.utils.escape_html(frm.doc.member_name || frm.doc.member),
						format_currency(frm.doc.principal, frm.doc.currency, 0),
					]),
					() => {
						frappe.dom.freeze();
						resolve();
					}
					// "No": the promise stays pending, the workflow action is not applied
				);
			});
		}
		if (LA_REASON_DECISIONS[action]) {
			frappe.dom.unfreeze();
			// the vote and its reason go through decide(); the standard action is not applied twice
			return new Promise(() => la.reason_dialog(frm, action));
		}
	},
});

const la = {
	credit_engine_button(frm) {
		// The credit engine (scorecard + bureau) for the analyst: a recommendation stored on the
		// application, never a workflow action. The server checks the role and the state again.
		if (frm.is_new() || frm.doc.docstatus !== 1) return;
		if (!["Submitted", "Analyzing"].includes(frm.doc.workflow_state)) return;
		if (!frappe.user.has_role("Credit Analyst")) return;
		frm.add_custom_button(__("Run Credit Engine"), () =>
			frappe
				.call({
					method: "pinjaman_online.api.credit_engine.run",
					args: { application: frm.doc.name },
					freeze: true,
					freeze_message: __("Asking the credit bureau and scoring…"),
				})
				.then((r) => {
					if (!r || !r.message) return;
					la.show_credit_result(r.message);
					frm.reload_doc();
				})
		);
	},

	show_credit_result(res) {
		const esc = frappe.utils.escape_html;
		const color = { Approve: "green", Refer: "orange", Reject: "red" }[res.recommendation] || "gray";
		const lines = (res.lines || [])
			.map(
				(l) =>
					`<tr><td>${esc(l.characteristic)}</td><td>${esc(l.value || "")}</td>` +
					`<td>${esc(l.bin)}</td><td class="text-right">${l.points}</td></tr>`
			)
			.join("");
		frappe.msgprint({
			title: __("Credit Engine"),
			indicator: color,
			message: `<div class="la-credit-result">
				<p><b>${__("Credit Score")}:</b> ${res.score} &nbsp; <b>${__("Credit Grade")}:</b> ${esc(res.grade)}
				&nbsp; <b>${__("Recommendation")}:</b>
				<span class="indicator-pill ${color}">${esc(__(res.recommendation))}</span></p>
				<p>${(res.reasons || []).map(esc).join("<br>")}</p>
				<p class="text-muted">${__("Credit bureau")}: ${esc(__(res.bureau_status))}.
				${__("A recommendation: the analyst and the committee decide.")}</p>
				<table class="table table-bordered table-condensed"><thead><tr><th>${__("Characteristic")}</th>
				<th>${__("Value")}</th><th>${__("Bin")}</th><th class="text-right">${__("Points")}</th></tr></thead>
				<tbody>${lines}</tbody></table></div>`,
		});
	},

	already_voted(frm) {
		if (!LA_COMMITTEE_STATES.includes(frm.doc.workflow_state)) return false;
		return (frm.doc.committee_decisions || []).some((r) => r.decided_by === frappe.session.user);
	},

	decision_intro(frm) {
		// a rejected or conditional application says why, from the vote that put it there
		const state = frm.doc.workflow_state;
		if (!["Rejected", "Conditional"].includes(state)) return;
		const vote = (frm.doc.committee_decisions || []).slice(-1)[0];
		if (!vote || !vote.notes) return;
		frm.set_intro(
			`<span class="la-decision-reason">${__("{0} by {1}: {2}", [
				__(vote.decision),
				frappe.utils.escape_html(frappe.user.full_name(vote.decided_by)),
				frappe.utils.escape_html(vote.notes),
			])}</span>`,
			state === "Rejected" ? "red" : "orange"
		);
	},

	default_first_due_date(frm) {
		// the product's cut-off day and due day decide it (server rule: lending.dates.first_due_date),
		// unless the clerk has chosen a date
		const doc = frm.doc;
		if (!doc.loan_product || doc.docstatus !== 0) return;
		if (doc.first_due_date && doc.first_due_date !== frm._la_due_auto) return;
		frappe
			.call({
				method: "pinjaman_online.api.products.first_due_date",
				args: { loan_product: doc.loan_product, application_date: doc.application_date || undefined },
				silent: true,
			})
			.then((r) => {
				const due = r && r.message && r.message.first_due_date;
				if (!due || (doc.first_due_date && doc.first_due_date !== frm._la_due_auto)) return;
				frm._la_due_auto = due;
				frm.set_value("first_due_date", due);
			});
	},

	analysis_buttons(frm) {
		if (frm.is_new()) return;
		if (frm.doc.credit_analysis) {
			frm.add_custom_button(__("Credit Analysis {0}", [frm.doc.credit_analysis]), () =>
				frappe.set_route("Form", "Credit Analysis", frm.doc.credit_analysis)
			);
			return;
		}
		if (frm.doc.workflow_state !== "Analyzing" || !frappe.model.can_create("Credit Analysis")) return;
		frappe.db
			.get_value("Credit Analysis", { loan_application: frm.doc.name, docstatus: 0 }, "name")
			.then((r) => {
				const draft = r && r.message && r.message.name;
				if (draft) {
					frm.add_custom_button(__("Open Credit Analysis {0}", [draft]), () =>
						frappe.set_route("Form", "Credit Analysis", draft)
					);
					return;
				}
				frm.add_custom_button(__("Create Credit Analysis"), () =>
					frappe.new_doc("Credit Analysis", {
						loan_application: frm.doc.name,
						analysis_date: frappe.datetime.get_today(),
					})
				);
				frm.change_custom_button_type(__("Create Credit Analysis"), null, "primary");
			});
	},

	reason_dialog(frm, action) {
		const d = new frappe.ui.Dialog({
			title: __(action),
			fields: [
				{
					fieldname: "reason",
					fieldtype: "Small Text",
					label: action === "Reject" ? __("Reason for rejection") : __("Conditions"),
					reqd: 1,
				},
			],
			primary_action_label: __(action),
			primary_action(values) {
				const reason = (values.reason || "").trim();
				if (!reason) {
					frappe.msgprint(__("A reason is required."));
					return;
				}
				frappe
					.call({
						method: "pinjaman_online.api.origination.decide",
						args: {
							application: frm.doc.name,
							decision: LA_REASON_DECISIONS[action],
							notes: reason,
						},
						freeze: true,
					})
					.then((r) => {
						if (!r || !r.message) return;
						d.hide();
						frappe.show_alert({
							message: __("{0}: {1}", [__(action), __(r.message.workflow_state)]),
							indicator: action === "Reject" ? "red" : "orange",
						});
						frm.reload_doc();
					});
			},
		});
		d.show();
	},

	simulate_soon(frm) {
		clearTimeout(la._timer);
		la._timer = setTimeout(() => la.simulate(frm), 400);
	},

	simulate(frm) {
		const doc = frm.doc;
		if (!doc.loan_product || !doc.principal || !doc.tenor_months) return la.render(frm, null);
		frappe.call({
			method: "pinjaman_online.api.products.simulate",
			type: "POST",
			args: {
				loan_product: doc.loan_product,
				principal: Math.round(doc.principal),
				tenor: doc.tenor_months,
				first_due_date: doc.first_due_date || undefined,
			},
			silent: true,
			callback: (r) => la.render(frm, r.message),
			error: (r) => {
				let message = __("No simulation: check the principal and tenor against the product's limits.");
				try {
					const msgs = JSON.parse((r && r._server_messages) || "[]");
					if (msgs.length) message = JSON.parse(msgs[0]).message || message;
				} catch (e) {
					// keep the generic message
				}
				la.render(frm, null, message);
			},
		});
	},

	show_simulation(frm) {
		if (frm.doc.docstatus === 0 && frm.doc.loan_product && frm.doc.principal && frm.doc.tenor_months) {
			la.simulate(frm);
		}
	},

	render(frm, sim, error) {
		frm.dashboard.parent.find(".la-simulation").closest(".form-dashboard-section").remove();
		if (!sim && !error) return;
		const cur = (v) => format_currency(v, frm.doc.currency || "IDR", 0);
		let html;
		if (error) {
			html = `<div class="la-simulation text-danger">${frappe.utils.escape_html(
				frappe.utils.html2text ? frappe.utils.html2text(error) : error
			)}</div>`;
		} else {
			const row = (label, value) =>
				`<div class="col-sm-3"><div class="text-muted small">${label}</div><div class="bold">${value}</div></div>`;
			html = `<div class="la-simulation row">
				${row(__("Installment"), cur(sim.installment))}
				${row(__("Total Interest"), cur(sim.total_interest))}
				${row(__("Total Fees"), cur(sim.total_fees))}
				${row(__("Net Disbursement"), cur(sim.net_disbursement))}
			</div>`;
		}
		frm.dashboard.add_section(html, __("Simulation"));
		frm.dashboard.show();
	},
};
