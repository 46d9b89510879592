// Credit Analysis form: the application's figures beside the analysis (member, principal, tenor, pension
// benefit, installment, DSR and the pre-check), and the way back to the application once submitted.

frappe.ui.form.on("Credit Analysis", {
	onload(frm) {
		if (frm.is_new() && !frm.doc.analysis_date) {
			frm.set_value("analysis_date", frappe.datetime.get_today());
		}
	},

	refresh(frm) {
		ca.show_application(frm);
		if (frm.doc.loan_application && !frm.is_new()) {
			frm.add_custom_button(__("Loan Application {0}", [frm.doc.loan_application]), () =>
				frappe.set_route("Form", "Loan Application", frm.doc.loan_application)
			);
		}
	},

	loan_application(frm) {
		ca.show_application(frm);
	},

	on_submit(frm) {
		frappe.show_alert({
			message: __("Credit Analysis {0} submitted: send application {1} to the committee", [
				frm.doc.name,
				frm.doc.loan_application,
			]),
			indicator: "green",
		});
	},
});

const ca = {
	show_application(frm) {
		if (!frm.doc.loan_application) return;
		frappe.db.get_doc("Loan Application", frm.doc.loan_application).then((app) => {
			const cur = (v) => format_currency(v, app.currency || "IDR", 0);
			const pct = (v) => (v || v === 0 ? `${format_number(v, null, 2)}%` : "—");
			const get_benefit = app.member
				? frappe.db.get_value("Member", app.member, "monthly_pension_benefit")
				: Promise.resolve(null);
			get_benefit.then((r) => {
				const benefit = r && r.message ? r.message.monthly_pension_benefit : null;
				const cell = (label, value) =>
					`<div class="col-sm-3"><div class="text-muted small">${label}</div><div class="bold">${value}</div></div>`;
				const checks = (app.precheck_results || [])
					.map(
						(c) =>
							`<li><span class="indicator-pill ${c.passed ? "green" : "red"}">${__(
								c.check_code
							)}</span> ${frappe.utils.escape_html(c.reason_text || c.reason || "")}</li>`
					)
					.join("");
				const html = `<div class="ca-application row">
						${cell(__("Member"), frappe.utils.escape_html(app.member_name || app.member))}
						${cell(__("Principal"), cur(app.principal))}
						${cell(__("Tenor (months)"), app.tenor_months)}
						${cell(__("Monthly Pension Benefit"), benefit === null ? "—" : cur(benefit))}
						${cell(__("Installment"), cur(app.installment_amount))}
						${cell(__("Net Disbursement"), cur(app.net_disbursement))}
						${cell(__("DSR"), pct(app.dsr))}
						${cell(__("Pre-check"), app.precheck_passed ? __("Passed") : __("Not passed"))}
					</div>
					${checks ? `<ul class="list-unstyled mt-2">${checks}</ul>` : ""}`;
				frm.dashboard.parent.find(".ca-application").closest(".form-dashboard-section").remove();
				frm.dashboard.add_section(html, __("Application {0}", [app.name]));
				frm.dashboard.show();
			});
		});
	},
};
