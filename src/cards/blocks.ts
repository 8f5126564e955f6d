/**
 * Small Block Kit constructors that enforce the limits in ./limits.ts. Callers pass text that is
 * already escaped (see ./escape.ts); these only cut and shape.
 */
import type { ActionsBlock, Button, ContextBlock, DividerBlock, HeaderBlock, MrkdwnElement, PlainTextElement, SectionBlock } from '@slack/types';
import type { SeverityLevel } from '../findings/severity.js';
import { safeText } from './escape.js';
import {
  MAX_BUTTON_TEXT,
  MAX_CONTEXT_ELEMENTS,
  MAX_FIELD_TEXT,
  MAX_HEADER_TEXT,
  MAX_SECTION_FIELDS,
  MAX_SECTION_TEXT,
  MAX_TEXT_OBJECT,
  truncate,
} from './limits.js';

/** `verbatim: true`: no auto-linking of URLs or channel names in finding text (see escape.ts). */
export function mrkdwn(text: string, max = MAX_TEXT_OBJECT): MrkdwnElement {
  return { type: 'mrkdwn', text: nonEmpty(truncate(text, max)), verbatim: true };
}

export function plain(text: string, max = MAX_TEXT_OBJECT): PlainTextElement {
  return { type: 'plain_text', text: nonEmpty(truncate(text, max)), emoji: true };
}

/** Slack rejects empty text objects. */
function nonEmpty(s: string): string {
  return s.trim() === '' ? '—' : s;
}

export function header(blockId: string, text: string): HeaderBlock {
  return { type: 'header', block_id: blockId, text: plain(text, MAX_HEADER_TEXT) };
}

export function section(blockId: string, text: string): SectionBlock {
  return { type: 'section', block_id: blockId, text: mrkdwn(text, MAX_SECTION_TEXT) };
}

/** A fields section; more than 10 fields are cut (callers choose which 10 matter). */
export function fieldsSection(blockId: string, fields: readonly string[]): SectionBlock {
  return {
    type: 'section',
    block_id: blockId,
    fields: fields.slice(0, MAX_SECTION_FIELDS).map((f) => mrkdwn(f, MAX_FIELD_TEXT)),
  };
}

export function context(blockId: string, texts: readonly string[]): ContextBlock {
  return { type: 'context', block_id: blockId, elements: texts.slice(0, MAX_CONTEXT_ELEMENTS).map((t) => mrkdwn(t)) };
}

export function divider(blockId: string): DividerBlock {
  return { type: 'divider', block_id: blockId };
}

export function button(b: { actionId: string; text: string; value?: string; url?: string; style?: 'primary' | 'danger' }): Button {
  return {
    type: 'button',
    action_id: b.actionId,
    text: plain(b.text, MAX_BUTTON_TEXT),
    ...(b.value !== undefined ? { value: b.value } : {}),
    ...(b.url !== undefined ? { url: b.url } : {}),
    ...(b.style ? { style: b.style } : {}),
  };
}

export function actions(blockId: string, elements: Button[]): ActionsBlock {
  return { type: 'actions', block_id: blockId, elements };
}

/** "*Label*\nvalue" for a fields section. `value` must already be escaped. */
export function field(label: string, value: string): string {
  return `*${label}*\n${value}`;
}

/** Field value for free text from the finding. */
export function textValue(s: string | undefined, max: number): string {
  return s === undefined || s.trim() === '' ? '—' : safeText(s, max);
}

export const SEVERITY_BADGE: Readonly<Record<SeverityLevel, { emoji: string; word: string }>> = {
  critical: { emoji: '🔴', word: 'CRITICAL' },
  high: { emoji: '🟠', word: 'HIGH' },
  medium: { emoji: '🟡', word: 'MEDIUM' },
  low: { emoji: '🔵', word: 'LOW' },
};

/** "2024-05-02 10:41:07 UTC" for an ISO timestamp; anything unparsable is shown escaped as sent. */
export function formatTime(iso: string | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return safeText(iso, 40);
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "8.0" — GuardDuty shows severities with one decimal. */
export function formatSeverity(n: number): string {
  return Number.isFinite(n) ? n.toFixed(1) : '?';
}
