/**
 * The one escape of the inspector: text put into markup (the chart's SVG, the page's
 * `<title>`) goes through {@link escapeXml}. Everything else the page shows is built as
 * DOM nodes, where text cannot be markup.
 */

/** `text` safe inside an element or a quoted attribute: `& < > " '` as character references. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
