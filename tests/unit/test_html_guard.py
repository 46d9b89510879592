"""A client's page for the PDF renderer keeps only what loads from the site (pinjaman_online.printing.html_guard).

Written as an attacker would: every way HTML and CSS name a resource, with the spellings browsers forgive."""

import pytest

bs4 = pytest.importorskip("bs4")
pytest.importorskip("tinycss2")
pytest.importorskip("html5lib")

from pinjaman_online.printing.html_guard import (
	css_urls,
	keep_own_resources,
	keep_own_stylesheet,
	own_url,
)

SITE = "http://koperasi.example:8000"
EVIL = "http://127.0.0.1:8765/secret"


@pytest.mark.parametrize(
	"url",
	[
		"/assets/frappe/dist/css/print.bundle.css",
		"files/logo.png",
		"#top",
		"",
		"http://koperasi.example:8000/files/logo.png",
		"HTTP://KOPERASI.EXAMPLE:8000/x",
	],
)
def test_the_sites_own_addresses(url):
	assert own_url(url, SITE)


@pytest.mark.parametrize(
	"url",
	[
		EVIL,
		"http://koperasi.example:8765/x",  # the site's host on another port
		"http://koperasi.example/x",  # the scheme's own port, not the site's
		"https://koperasi.example:8000/x",
		"//127.0.0.1/x",
		"\\\\127.0.0.1/x",
		"http:\\\\127.0.0.1/x",
		"h\tttp://127.0.0.1/x",
		" http://127.0.0.1/x",
		"http://koperasi.example:8000@127.0.0.1/x",
		"http://user@koperasi.example:8000/x",
		"http://koperasi.example:99999/x",
		"file:///etc/passwd",
		"javascript:alert(1)",
		"data:text/html,<iframe src=x>",
		"data:text/css,@import url(http://127.0.0.1/)",
		"ftp://koperasi.example:8000/x",
		"http://169.254.169.254/latest/meta-data/",
	],
)
def test_other_addresses(url):
	assert not own_url(url, SITE)


def test_a_data_image_only_where_an_image_is_loaded():
	assert own_url("data:image/png;base64,iVBORw0KGgo=", SITE, image=True)
	assert not own_url("data:image/png;base64,iVBORw0KGgo=", SITE)
	assert not own_url("data:text/plain,x", SITE, image=True)


def test_css_urls_in_every_spelling():
	import tinycss2

	css = (
		'@import "http://a.test/1.css"; @import url(http://a.test/2.css);'
		"p { background: url(http://a.test/3.png); border-image: URL( 'http://a.test/4.png' ) }"
		"q { background: u\\72l(http://a.test/5.png); content: image-set('http://a.test/6.png' 1x) }"
		"r { background: -webkit-image-set(url(http://a.test/7.png) 1x) }"
		"@font-face { src: url(http://a.test/8.woff) }"
		"@media print { s { background: url(http://a.test/9.png) } }"
	)
	found = set(css_urls(tinycss2.parse_component_value_list(css)))
	assert found == {f"http://a.test/{n}" + ext for n, ext in [(1, ".css"), (2, ".css")]} | {
		f"http://a.test/{n}.png" for n in (3, 4, 5, 6, 7, 9)
	} | {"http://a.test/8.woff"}


def test_a_style_sheet_keeps_its_own_rules_and_loses_the_others():
	css = (
		f"@import url({SITE}/assets/print.css);\n"
		f'@import "{EVIL}.css";\n'
		f"table {{ border: 1px solid #000; background: url({EVIL}.png) }}\n"
		"@media print { .page { margin: 0 } }\n"
		f"@media screen {{ p {{ background: url({EVIL}) }} }}\n"
		f"@font-face {{ font-family: X; src: url({EVIL}.woff) }}\n"
		".logo { background: url(/files/logo.png) }"
	)
	kept = keep_own_stylesheet(css, SITE)
	assert "127.0.0.1" not in kept
	assert f"{SITE}/assets/print.css" in kept
	assert "border: 1px solid #000" in kept
	assert "@media print" in kept and "margin: 0" in kept
	assert "url(/files/logo.png)" in kept
	assert "@font-face" not in kept and "@media screen" not in kept


ATTACKS = [
	f'<iframe src="{EVIL}"></iframe>',
	f'<frameset><frame src="{EVIL}"></frameset>',
	f'<object data="{EVIL}"></object>',
	f'<embed src="{EVIL}">',
	f'<base href="{EVIL}/">',
	f'<meta http-equiv="refresh" content="0; url={EVIL}">',
	f'<link rel="stylesheet" href="{EVIL}.css">',
	'<link rel="stylesheet" href="data:text/css,@import url(http://127.0.0.1:8765/secret)">',
	f'<img src="{EVIL}.png">',
	f'<img srcset="/files/a.png 1x,{EVIL}.png">',
	f'<img src="/files/a.png" srcset="data:image/png;base64,AAAA 1x, {EVIL} 2x">',
	f'<picture><source srcset="{EVIL}"><img src="/files/a.png"></picture>',
	f'<video poster="{EVIL}.png"></video>',
	f'<table background="{EVIL}.png"><tr><td>x</td></tr></table>',
	f'<div style="background-image: url({EVIL}.png)">x</div>',
	'<div style="background: u\\72l(http://127.0.0.1:8765/secret)">x</div>',
	f'<style>@import "{EVIL}.css";</style>',
	f"<style>body {{ background: url('{EVIL}') }}</style>",
	f'<svg><image href="{EVIL}.png"/></svg>',
	f'<svg><image xlink:href="{EVIL}.png"/></svg>',
	f'<svg><use href="{EVIL}#x"/></svg>',
	f'<svg><rect fill="url({EVIL}#g)"/></svg>',
	f'<svg><style>rect {{ fill: url("{EVIL}#g") }}</style></svg>',
	f'<svg><feImage href="{EVIL}"/></svg>',
	f'<input type="image" src="{EVIL}">',
	f'<script src="{EVIL}.js"></script>',
	f'<noscript><iframe src="{EVIL}"></iframe></noscript>',
	f'<IFRAME SRC="{EVIL}"></IFRAME>',
	'<iframe src="http://127.0.0.1:8765/secret"',  # unclosed, as a browser still reads it
	f'<ifr<iframe src="{EVIL}">ame>',
	f'<math><iframe src="{EVIL}"></iframe></math>',
	f'<template><iframe src="{EVIL}"></iframe></template>',
	f'<img src="/files/a.png" style="x" src2="y" SRC="{EVIL}">',
	'<img src="h&#x74;tp://127.0.0.1:8765/secret">',
	f'<a href="{EVIL}">a link is not loaded</a><iframe src="{EVIL}"></iframe>',
]


@pytest.mark.parametrize("attack", ATTACKS)
def test_nothing_loads_from_another_address(attack):
	page = f"<html><head></head><body><h1>Aging</h1>{attack}</body></html>"
	kept = keep_own_resources(page, SITE)
	for removed in ("<iframe", "<frame", "<object", "<embed", "<base", "<script", "http-equiv"):
		assert removed not in kept.lower(), kept
	without_links = kept.split("<a ")[0]
	assert "127.0.0.1" not in without_links, kept
	assert "Aging" in kept


def test_the_reports_own_page_is_kept():
	page = (
		'<!DOCTYPE html><html lang="id"><head><meta charset="utf-8">'
		f'<link href="{SITE}/assets/frappe/dist/css/print.bundle.css" rel="stylesheet">'
		"<style>.print-format { margin-top: 15mm } .print-format td { padding: 2px }</style></head>"
		'<body><div class="print-format landscape"><div class="letter-head">'
		'<img src="/files/logo.png" style="max-width: 100px"></div>'
		'<table class="table"><tr><td style="text-align: right">Rp 1.000.000</td></tr></table>'
		f'<a href="{SITE}/app/loan/LN-1">LN-1</a></div></body></html>'
	)
	kept = keep_own_resources(page, SITE)
	assert f'href="{SITE}/assets/frappe/dist/css/print.bundle.css"' in kept
	assert 'src="/files/logo.png"' in kept and "max-width: 100px" in kept
	assert "margin-top: 15mm" in kept and "text-align: right" in kept
	assert "Rp 1.000.000" in kept and f'href="{SITE}/app/loan/LN-1"' in kept


def test_an_element_there_to_load_another_address_goes_with_it():
	kept = keep_own_resources(
		f'<p>a</p><img src="{EVIL}"><img><img src=""><link rel="stylesheet" href="{EVIL}">'
		f'<table background="{EVIL}"><tr><td>cell</td></tr></table>',
		SITE,
	)
	assert "<img" not in kept and "<link" not in kept
	assert "<table>" in kept and "cell" in kept
