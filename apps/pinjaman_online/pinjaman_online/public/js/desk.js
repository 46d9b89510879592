// Desk-wide behaviour of the app, loaded on every desk page after Frappe's own bundles (hooks.py
// app_include_js; a plain file, no build step).

// A form reloads itself a second after the server announces a newer version of its document (realtime
// doc_update, debounced). When that announcement is the echo of the user's own action (a workflow action
// answered after its doc_update arrived) and the user has meanwhile opened another document, e.g. Create
// Credit Analysis right after Start Analysis, Frappe reloads the form that is no longer shown and makes it
// `cur_frm` again: Ctrl+S, form events and scripts then act on the document the user has left. A form that
// is not shown drops its cached copy instead (as Frappe does for documents without an open form), so it is
// fetched afresh when it is opened again; one with unsaved changes is marked to show Frappe's conflict message.
// A reload that started while the form was shown refreshes it only if it is still shown when the answer comes.
(() => {
	const Form = frappe.ui.form && frappe.ui.form.Form;
	if (!Form || Form.prototype.__pinjaman_reload_guard) return;

	function is_shown(frm) {
		const route = frappe.get_route() || [];
		return (
			route[0] === "Form" &&
			frappe.container &&
			frappe.container.page === frm.parent &&
			route.slice(2).join("/") === frm.docname
		);
	}

	// Frappe's reload_doc (v15), checking that the form is shown both before fetching and when the fetched
	// document arrives (the user may have opened another document meanwhile).
	Form.prototype.reload_doc = function () {
		this.check_doctype_conflict(this.docname);
		if (this.doc.__islocal) return;
		if (!is_shown(this)) {
			if (this.doc.__unsaved) {
				this.doc.__needs_refresh = true;
			} else {
				frappe.model.remove_from_locals(this.doctype, this.docname);
			}
			return Promise.resolve();
		}
		frappe.model.remove_from_locals(this.doctype, this.docname);
		return frappe.model.with_doc(this.doctype, this.docname, () => {
			// not shown any more: the fetched copy waits in locals until the form is opened again
			if (is_shown(this)) this.refresh();
		});
	};
	Form.prototype.__pinjaman_reload_guard = true;
})();

// Percentages in the site's number format, like every other number of the desk: Frappe's Percent formatter
// (v15) prints the JavaScript number ("54.77%") whatever the format, so with the Indonesian "#.###,##" a
// form showed "Rp 1.000.000,00" beside "54.77%". Trailing zeros of the decimals are dropped ("18%", "6,15%",
// "1,5%"), as printed documents do (printing/words.py percent); lists, forms, reports and number cards all
// use this formatter.
(() => {
	const formatters = frappe.form && frappe.form.formatters;
	if (!formatters || formatters.__pinjaman_percent) return;
	formatters.Percent = function (value, docfield, options) {
		if (value === null || value === undefined || value === "") return "";
		// two decimals unless the field says otherwise (rates and ratios are kept to 0.01%), not the site's
		// float precision (3), which showed a report's share as "69,184%"
		const precision = cint(docfield && docfield.precision) || 2;
		let text = format_number(flt(value, precision), null, precision);
		const decimal = get_number_format_info(get_number_format()).decimal_str;
		if (decimal && text.includes(decimal)) {
			text = text.replace(/0+$/, "");
			if (text.endsWith(decimal)) text = text.slice(0, -decimal.length);
		}
		return formatters._right(text + "%", options);
	};
	formatters.__pinjaman_percent = true;
})();

// A workflow state is shown in the user's language wherever it is read, as the form's status badge and the
// link input already do: Frappe's Link formatter (read-only fields, list and report cells) shows the raw
// name, so a form read "Status: Committee SPV" under the badge "Komite SPV".
(() => {
	const link_formatters = frappe.form && frappe.form.link_formatters;
	if (!link_formatters || link_formatters["Workflow State"]) return;
	link_formatters["Workflow State"] = (value) => (value ? __(value) : value);
})();

// A loan status change's reason in the reader's language: the servicing code writes English phrases joined
// by ": " ("payment: paid off"), translated under the context "Loan status change" (servicing/state.py
// reason_text); the timeline and the Loan Status Change list show it through this one function.
frappe.provide("pinjaman_online");
pinjaman_online.status_change_reason = (reason) =>
	String(reason || "")
		.split(": ")
		.map((part) => __(part, null, "Loan status change"))
		.join(": ");

// The form timeline's "changed the value of Status from Active to Closed" shows the stored values of select
// fields and workflow states as they are, in English, checks as 0 and 1 and empty values as "null"; the
// Version is left as it is (it is the record) and the timeline is given a copy with those values as the
// fields show them, in the user's language ("Ya", "—").
(() => {
	function translated(value, df) {
		if (value === null || value === undefined || value === "") return "—";
		if (!df) return value;
		if (df.fieldtype === "Check") return cint(value) ? __("Yes") : __("No");
		// Frappe's server formats a Percent into the Version as the Python number ("19.67%"): as the field shows it
		if (df.fieldtype === "Percent" && /^-?\d+(\.\d+)?%?$/.test(String(value))) {
			return frappe.form.formatters.Percent(parseFloat(value), df);
		}
		// Versions recorded before the Currency fields had precision 0 hold "Rp 180.000,00": without the cents
		if (df.fieldtype === "Currency" && typeof value === "string" && !cint(df.precision)) {
			const decimal = get_number_format_info(get_number_format()).decimal_str;
			if (decimal) return value.replace(new RegExp(`\\${decimal}0+$`), "");
		}
		if (df.fieldtype === "Select") return __(String(value), null, df.parent);
		const translated_link =
			df.fieldtype === "Link" && (frappe.boot.translated_doctypes || []).includes(df.options);
		return translated_link ? __(String(value)) : value;
	}

	function translated_data(data, doctype) {
		let changes;
		try {
			changes = JSON.parse(data);
		} catch (e) {
			return data;
		}
		(changes.changed || []).forEach((change) => {
			const df = frappe.meta.get_docfield(doctype, change[0]);
			change[1] = translated(change[1], df);
			change[2] = translated(change[2], df);
		});
		// a loan's status change: the reason in the reader's language (servicing/state.py updater_reference)
		const reference = changes.updater_reference;
		if (reference && reference.reason) {
			const reason = pinjaman_online.status_change_reason(reference.reason);
			const text = reference.docname ? `(${reason}, ${reference.docname})` : `(${reason})`;
			reference.label = frappe.utils.escape_html(text);
		}
		(changes.row_changed || []).forEach((row) => {
			const table = frappe.meta.get_docfield(doctype, row[0]);
			(row[3] || []).forEach((change) => {
				const df = table && frappe.meta.get_docfield(table.options, change[0]);
				change[1] = translated(change[1], df);
				change[2] = translated(change[2], df);
			});
		});
		return JSON.stringify(changes);
	}

	$(document).on("form-load", (e, frm) => {
		const timeline = frm && frm.timeline;
		const proto = timeline && Object.getPrototypeOf(timeline);
		if (!proto || proto.__pinjaman_translated_versions || !proto.get_version_timeline_contents) return;
		const original = proto.get_version_timeline_contents;
		proto.get_version_timeline_contents = function () {
			const versions = (this.doc_info && this.doc_info.versions) || [];
			const stored = versions.map((v) => v.data);
			versions.forEach((v) => {
				if (v.data) v.data = translated_data(v.data, this.frm.doctype);
			});
			try {
				return original.call(this);
			} finally {
				versions.forEach((v, i) => (v.data = stored[i]));
			}
		};
		proto.__pinjaman_translated_versions = true;
	});
})();

// Field labels from Frappe's meta (the timeline's child-row changes, list settings, group-by and report
// columns) in the user's language, as the form shows them: frappe.meta.get_label returns the label as
// stored, so a timeline read "Verified dari Tidak menjadi Ya pada baris #1".
(() => {
	const meta = frappe.meta;
	if (!meta || !meta.get_label || meta.__pinjaman_translated_labels) return;
	const get_label = meta.get_label;
	meta.get_label = function (dt, fn, dn) {
		const label = get_label.call(this, dt, fn, dn);
		return label && label !== fn ? __(label, null, dt) : label;
	};
	meta.__pinjaman_translated_labels = true;
})();

// A select field's value reads as its option does in the field's own dropdown: Frappe's Select control
// translates its options with the doctype as context, its formatter (read-only fields, lists, reports)
// without, so a loan in Default read "Macet" in the badge and in the dropdown but "Standar" (a default
// value) in the read-only Status field.
(() => {
	const formatters = frappe.form && frappe.form.formatters;
	if (!formatters || formatters.__pinjaman_select_context) return;
	formatters.Select = function (value, df) {
		return __(formatters.Data(value, df), null, df && df.parent);
	};
	formatters.__pinjaman_select_context = true;
})();
