/** Escaping for the XML and HTML reports. */

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  // In an attribute a parser turns raw tabs and line breaks into spaces: keep them as references.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/**
 * Characters XML 1.0 does not allow at all, even as references: C0 controls other than
 * tab and line breaks, lone surrogates, U+FFFE and U+FFFF. A Go string literal quoted in a
 * message can hold them; they become U+FFFD.
 */
const NOT_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** An attribute value (in double quotes), in XML or HTML. */
export function escapeAttribute(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/[&<>"\t\n\r]/g, (c) => ENTITIES[c]);
}

/**
 * Element content, in XML or HTML: tabs and line feeds stay as they are (they matter in
 * <pre>); a carriage return becomes a reference, which a parser does not turn into a line feed.
 */
export function escapeText(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/[&<>\r]/g, (c) => ENTITIES[c]);
}

/** `name="value"` pairs, escaped, for a start tag. */
export function attributes(attrs: Record<string, string | number>): string {
  return Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${escapeAttribute(String(v))}"`)
    .join('');
}
