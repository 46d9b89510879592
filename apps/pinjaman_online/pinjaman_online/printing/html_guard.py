"""HTML from a client, made safe to hand to the server's PDF renderer (Frappe-free).

wkhtmltopdf loads every frame, object, image, stylesheet and CSS ``url()`` that a page names, from the server's
own network, and prints what it gets. A page sent by a client (Frappe's report "PDF" button posts the report's
HTML) that frames ``http://127.0.0.1:…`` or a cloud metadata address would come back as a PDF of that internal
page: a server-side request forgery. ``keep_own_resources`` removes from such a page everything that would load
from anywhere but the site itself:

- elements that show another document (``iframe``, ``frame``, ``object``, ``embed``, ``base``, ``meta`` refresh,
  ``script``…) are removed;
- an attribute that names a resource to load (``src``, ``href`` except on links, ``srcset``, ``data``,
  ``poster``, ``background``, SVG's ``xlink:href``…) or that holds a CSS ``url()`` is removed unless every URL in
  it is the site's own (same scheme, host and port, no user name) or a relative path, or, where an image is
  loaded, a ``data:image/…`` URL; an element that is there only to load it (``img``, ``link``, ``source``…)
  is removed with it;
- in ``<style>`` and ``style=""``, a declaration that loads another address is removed, and so is an at-rule
  (``@import``, ``@font-face``, ``@media`` …) that does.

Links (``<a href>``) stay: the renderer does not load them. The caller still gives the renderer no route to other
hosts (``overrides/printing.py``); this module is what keeps the page's own look.
"""

import re
from collections.abc import Iterable, Iterator
from urllib.parse import urlsplit

import tinycss2
from bs4 import BeautifulSoup

# elements whose only purpose in a printed page would be to load or show another document
_DROPPED_ELEMENTS = (
	"iframe",
	"frame",
	"frameset",
	"object",
	"embed",
	"applet",
	"portal",
	"base",
	"script",
	"noscript",
	"template",
)
# attributes whose value is a URL the renderer may load (compared by the name after any ``xlink:`` prefix)
_URL_ATTRIBUTES = frozenset(
	{
		"src",
		"href",
		"srcset",
		"imagesrcset",
		"data",
		"poster",
		"background",
		"codebase",
		"cite",
		"longdesc",
		"lowsrc",
		"dynsrc",
		"usemap",
		"manifest",
		"profile",
		"archive",
		"classid",
		"icon",
		"action",
		"formaction",
		"ping",
	}
)
# elements whose ``href`` the renderer does not load
_LINK_ELEMENTS = frozenset({"a", "area"})
# elements that are there to load what their URL names: removed, not kept without it (Frappe's PDF step
# expects an image's src)
_LOADING_ELEMENTS = frozenset(
	{"img", "image", "link", "source", "video", "audio", "track", "input", "use", "feimage", "picture"}
)
# elements whose ``src``/``srcset`` is an image, where a data:image URL is fine
_IMAGE_ELEMENTS = frozenset({"img", "source", "image", "input", "picture"})
# browsers drop ASCII tab, newline and other control characters and spaces from a URL before parsing it
_IGNORED_IN_URL = re.compile(r"[\x00-\x20\x7f]")
_CSS_URL_FUNCTIONS = frozenset({"url", "src", "image"})
# element and attribute names kept: letters, digits, "-", "_", "." and a namespace prefix
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*(:[A-Za-z_][A-Za-z0-9_.-]*)?")


def own_url(url: str, origin: str, image: bool = False) -> bool:
	"""True when ``url`` loads from the site at ``origin`` (``"https://koperasi.example"``, with a port if not
	the scheme's own): a relative path or fragment, or an http(s) URL of the same scheme, host and port without
	a user name; with ``image``, also a ``data:image/…`` URL. Anything else (another host or port, ``//host``,
	``file:``, ``javascript:``, other ``data:``, a port that is not a number) is False."""
	value = _IGNORED_IN_URL.sub("", url).replace("\\", "/")
	if not value or value.startswith("#"):
		return True
	if value.lower().startswith("data:"):
		return image and value[5:].lower().startswith("image/")
	try:
		parts = urlsplit(value)
		own = urlsplit(origin)
		if not parts.scheme and not parts.netloc and not value.startswith("//"):
			return ":" not in value.split("/", 1)[0]
		return (
			parts.scheme.lower() in ("http", "https")
			and parts.scheme.lower() == own.scheme.lower()
			and parts.username is None
			and parts.password is None
			and parts.hostname is not None
			and parts.hostname == own.hostname
			and _port(parts) == _port(own)
		)
	except ValueError:
		return False


def _port(parts) -> int:
	return parts.port or (443 if parts.scheme.lower() == "https" else 80)


def css_urls(nodes: Iterable) -> Iterator[str]:
	"""Every URL that the CSS component values ``nodes`` (tinycss2) name: ``url(…)`` in either spelling,
	the strings of ``src()``, ``image()`` and ``image-set()``, and the string after ``@import``."""
	previous_import = False
	for node in nodes:
		kind = getattr(node, "type", None)
		if kind == "url":
			yield node.value
		elif kind == "function":
			name = node.lower_name
			if name in _CSS_URL_FUNCTIONS or name.endswith("image-set"):
				yield from (arg.value for arg in node.arguments if arg.type == "string")
			yield from css_urls(node.arguments)
		elif kind in ("() block", "[] block", "{} block"):
			yield from css_urls(node.content)
		elif kind == "string" and previous_import:
			yield node.value
		if kind == "at-keyword":
			previous_import = node.lower_value == "import"
		elif kind not in ("whitespace", "comment"):
			previous_import = False


def _css_is_own(nodes: Iterable, origin: str) -> bool:
	return all(own_url(url, origin, image=True) for url in css_urls(nodes))


def _at_rule_nodes(rule) -> list:
	"""An at-rule's prelude and block as component values, with its keyword first (so ``@import "…"`` reads
	as one)."""
	keyword = tinycss2.ast.AtKeywordToken(rule.source_line, rule.source_column, rule.at_keyword)
	return [keyword, *rule.prelude, *(rule.content or [])]


def keep_own_declarations(css: str, origin: str) -> str:
	"""A declaration list (a ``style`` attribute's value) without the declarations that load from another
	address."""
	kept = [
		node.serialize()
		for node in tinycss2.parse_declaration_list(css, skip_comments=True, skip_whitespace=True)
		if node.type == "declaration" and _css_is_own(node.value, origin)
	]
	return "; ".join(kept)


def keep_own_stylesheet(css: str, origin: str) -> str:
	"""A style sheet without the declarations, and the at-rules, that load from another address."""
	out = []
	for rule in tinycss2.parse_stylesheet(css, skip_comments=True, skip_whitespace=False):
		if rule.type == "whitespace":
			out.append(rule.serialize())
		elif rule.type == "qualified-rule":
			if _css_is_own(rule.prelude, origin):
				block = keep_own_declarations(tinycss2.serialize(rule.content), origin)
				out.append(f"{tinycss2.serialize(rule.prelude)}{{{block}}}")
		elif rule.type == "at-rule" and _css_is_own(_at_rule_nodes(rule), origin):
			out.append(rule.serialize())
	return "".join(out)


def keep_own_resources(html: str, origin: str) -> str:
	"""``html`` (a whole page or a fragment) with everything removed that would load from anywhere but the site
	at ``origin``, as the module's docstring lists; parsed as a browser parses (html5lib) and returned as a whole
	page."""
	soup = BeautifulSoup(html, "html5lib")
	for element in soup.find_all(_DROPPED_ELEMENTS):
		element.decompose()
	for element in soup.find_all("meta"):
		if element.has_attr("http-equiv"):
			element.decompose()
	for element in soup.find_all(True):
		if not _NAME.fullmatch(element.name):
			# a name no browser would read back as the same element (html5lib keeps "ifr<iframe")
			element.decompose()
	for element in soup.find_all("style"):
		element.string = keep_own_stylesheet("".join(str(c) for c in element.contents), origin)
	for element in soup.find_all(True):
		tag = element.name.split(":")[-1].lower()
		for name in list(element.attrs):
			if not _NAME.fullmatch(str(name)):
				del element.attrs[name]
				continue
			value = element.attrs[name]
			value = " ".join(value) if isinstance(value, list) else str(value)
			local = str(name).split(":")[-1].lower()
			if local == "style":
				element.attrs[name] = keep_own_declarations(value, origin)
			elif local in _URL_ATTRIBUTES:
				if local == "href" and tag in _LINK_ELEMENTS:
					continue
				image = tag in _IMAGE_ELEMENTS and local in ("src", "srcset")
				urls = _srcset_urls(value) if local.endswith("srcset") else [value]
				if not all(own_url(url, origin, image=image) for url in urls):
					if tag in _LOADING_ELEMENTS:
						element.decompose()
						break
					del element.attrs[name]
			elif "(" in value and not _css_is_own(tinycss2.parse_component_value_list(value), origin):
				# SVG presentation attributes (fill, filter, mask, clip-path…) take CSS url(), also escaped
				del element.attrs[name]
	for element in soup.find_all("img"):
		if not element.get("src"):
			element.decompose()  # Frappe's PDF step reads every image's src
	return str(soup)


def _srcset_urls(value: str) -> list[str]:
	"""Every word of a ``srcset`` (``"a.png 1x, b.png 2x"``) that is not a width or density descriptor, split
	at every comma and space: a data: URL falls apart into pieces that are each checked, which is stricter than
	a browser and never looser."""
	return [word for word in re.split(r"[,\s]+", value) if word and not _DESCRIPTOR.fullmatch(word)]


_DESCRIPTOR = re.compile(r"[0-9.]+[wxh]", re.IGNORECASE)
