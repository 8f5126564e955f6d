/**
 * A tiny XML writer for EC2-style responses. Element names are given exactly as EC2 spells them
 * (camelCase, e.g. `networkInterfaceSet`); arrays become `<item>` children, which is how every EC2
 * list is wrapped on the wire (the SDK's schema names the list member `item`).
 */
export type XmlScalar = string | number | boolean | Date;
export type XmlValue = XmlScalar | XmlObject | XmlValue[] | undefined | null;
export interface XmlObject {
  [element: string]: XmlValue;
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

function scalar(v: XmlScalar): string {
  if (v instanceof Date) return v.toISOString();
  return escapeXml(String(v));
}

export function writeXml(obj: XmlObject, out: string[] = []): string[] {
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (v === undefined || v === null) continue;
    writeElement(key, v, out);
  }
  return out;
}

function writeElement(name: string, v: XmlValue, out: string[]): void {
  if (v === undefined || v === null) return;
  if (Array.isArray(v)) {
    out.push(`<${name}>`);
    for (const item of v) {
      if (item === undefined || item === null) continue;
      writeElement('item', item, out);
    }
    out.push(`</${name}>`);
  } else if (typeof v === 'object' && !(v instanceof Date)) {
    out.push(`<${name}>`);
    writeXml(v, out);
    out.push(`</${name}>`);
  } else {
    out.push(`<${name}>${scalar(v)}</${name}>`);
  }
}
