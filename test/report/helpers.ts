/** Parse SVG/HTML strings with linkedom for structural checks (no snapshots). */
import { DOMParser, parseHTML } from 'linkedom';

type Doc = ReturnType<typeof parseHTML>['document'];

/** Parse an SVG string as XML (fails the well-formedness check by returning a parsererror). */
export function parseSvg(svg: string): Doc {
  return new DOMParser().parseFromString(svg, 'image/svg+xml') as unknown as Doc;
}

/** Parse a full HTML document. */
export function parseDoc(html: string): Doc {
  return parseHTML(html).document;
}

/** Texts of all <text> elements (and their tspans) of an SVG. */
export function svgTexts(svg: string): string[] {
  return [...parseSvg(svg).querySelectorAll('text')].map((t) => t.textContent ?? '');
}

/**
 * A small XML well-formedness check (XML 1.0 §2.1 subset that SVG output uses): one root
 * element, every start tag closed in order, attribute values quoted with no raw '<' or stray '&',
 * text without raw '<' and only the five predefined or numeric entity references. Returns the
 * problem found, or null. linkedom's parsers are lenient, so they cannot do this check.
 */
export function xmlProblem(xml: string): string | null {
  const token =
    /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<\/([A-Za-z_][\w:.-]*)\s*>|<([A-Za-z_][\w:.-]*)((?:\s+[A-Za-z_][\w:.-]*\s*=\s*(?:"[^"<]*"|'[^'<]*'))*)\s*(\/?)>|[^<]+|</g;
  const entity = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;
  const stack: string[] = [];
  let roots = 0;
  for (const m of xml.matchAll(token)) {
    const [text, close, open, attrs, selfClose] = m;
    if (text === '<') return `stray '<' at ${m.index}`;
    if (close) {
      const top = stack.pop();
      if (top !== close) return `</${close}> closes <${top ?? 'nothing'}> at ${m.index}`;
    } else if (open) {
      if (attrs && entity.test(attrs)) return `raw '&' in attributes of <${open}>`;
      const names = [...(attrs ?? '').matchAll(/([A-Za-z_][\w:.-]*)\s*=/g)].map((a) => a[1]);
      if (new Set(names).size !== names.length) return `duplicate attribute in <${open}>`;
      if (stack.length === 0) roots++;
      if (!selfClose) stack.push(open);
    } else if (!text.startsWith('<')) {
      if (entity.test(text)) return `raw '&' in text at ${m.index}`;
      if (stack.length === 0 && text.trim()) return 'text outside the root element';
    }
  }
  if (stack.length > 0) return `unclosed <${stack.at(-1)}>`;
  if (roots !== 1) return `${roots} root elements`;
  return null;
}
