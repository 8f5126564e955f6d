/**
 * Test helpers that check a Slack message against Block Kit's hard limits — reusable for any
 * message the app builds (cards, thread replies, ephemeral answers):
 *
 *   assertWithinBlockKitLimits(message)    every documented limit, plus unique ids and the
 *                                          cumulative text budget
 *   assertNoSlackMarkup(message)           no raw `<`/`>` in any text: nothing can render as a
 *                                          mention, channel link, date or URL link
 *
 * The limits are written out here from Slack's Block Kit reference rather than imported from
 * src/cards/limits.ts, so a wrong constant there is caught too.
 */
import assert from 'node:assert/strict';

const LIMITS = {
  blocks: 50,
  textObject: 3000,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  contextElements: 10,
  actionsElements: 25,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  actionId: 255,
  blockId: 255,
  messageText: 4000,
  /** Undocumented cumulative limit (msg_blocks_too_long, ~12k); we keep a margin. */
  blocksText: 10_000,
} as const;

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkTextObject(t: unknown, where: string, max: number, kind?: 'plain_text' | 'mrkdwn'): number {
  assert.ok(isObj(t), `${where}: text object expected`);
  assert.ok(t.type === 'plain_text' || t.type === 'mrkdwn', `${where}: text type ${String(t.type)}`);
  if (kind) assert.equal(t.type, kind, `${where}: must be ${kind}`);
  assert.equal(typeof t.text, 'string', `${where}: text must be a string`);
  const text = t.text as string;
  assert.ok(text.trim().length >= 1, `${where}: text must not be empty`);
  assert.ok(text.length <= max, `${where}: text is ${text.length} characters, limit ${max}`);
  assert.ok(text.length <= LIMITS.textObject, `${where}: text object over ${LIMITS.textObject}`);
  return text.length;
}

function checkElement(el: unknown, where: string, actionIds: Set<string>): number {
  assert.ok(isObj(el), `${where}: element expected`);
  let chars = 0;
  if (el.type === 'button') {
    chars += checkTextObject(el.text, `${where}.text`, LIMITS.buttonText, 'plain_text');
    if (el.value !== undefined) {
      assert.equal(typeof el.value, 'string', `${where}.value`);
      assert.ok((el.value as string).length <= LIMITS.buttonValue, `${where}.value over ${LIMITS.buttonValue}`);
    }
    if (el.url !== undefined) {
      assert.equal(typeof el.url, 'string', `${where}.url`);
      assert.ok((el.url as string).length <= LIMITS.buttonUrl, `${where}.url over ${LIMITS.buttonUrl}`);
      assert.match(el.url as string, /^https:\/\//, `${where}.url must be https`);
    }
    if (el.style !== undefined) assert.ok(el.style === 'primary' || el.style === 'danger', `${where}.style ${String(el.style)}`);
  }
  if (el.action_id !== undefined) {
    assert.equal(typeof el.action_id, 'string', `${where}.action_id`);
    const id = el.action_id as string;
    assert.ok(id.length >= 1 && id.length <= LIMITS.actionId, `${where}.action_id length ${id.length}`);
    assert.ok(!actionIds.has(id), `${where}: duplicate action_id ${id}`);
    actionIds.add(id);
  }
  return chars;
}

/** Asserts that `message` ({text, blocks}) would be accepted by chat.postMessage / chat.update. */
export function assertWithinBlockKitLimits(message: { text?: unknown; blocks?: unknown }): void {
  assert.equal(typeof message.text, 'string', 'message.text (notification fallback) must be a string');
  const text = message.text as string;
  assert.ok(text.trim().length > 0, 'message.text must not be empty');
  assert.ok(text.length <= LIMITS.messageText, `message.text is ${text.length} characters, recommended ≤ ${LIMITS.messageText}`);
  assert.ok(Array.isArray(message.blocks), 'message.blocks must be an array');
  const blocks = message.blocks as unknown[];
  assert.ok(blocks.length >= 1, 'message has no blocks');
  assert.ok(blocks.length <= LIMITS.blocks, `${blocks.length} blocks, limit ${LIMITS.blocks}`);

  const blockIds = new Set<string>();
  const actionIds = new Set<string>();
  let chars = 0;
  blocks.forEach((b, i) => {
    const where = `blocks[${i}]`;
    assert.ok(isObj(b), `${where}: block expected`);
    if (b.block_id !== undefined) {
      assert.equal(typeof b.block_id, 'string', `${where}.block_id`);
      const id = b.block_id as string;
      assert.ok(id.length >= 1 && id.length <= LIMITS.blockId, `${where}.block_id length ${id.length}`);
      assert.ok(!blockIds.has(id), `${where}: duplicate block_id ${id}`);
      blockIds.add(id);
    }
    const w = `${where}(${String(b.type)}${b.block_id ? ` ${String(b.block_id)}` : ''})`;
    switch (b.type) {
      case 'header':
        chars += checkTextObject(b.text, `${w}.text`, LIMITS.headerText, 'plain_text');
        break;
      case 'section': {
        assert.ok(b.text !== undefined || b.fields !== undefined, `${w}: needs text or fields`);
        if (b.text !== undefined) chars += checkTextObject(b.text, `${w}.text`, LIMITS.sectionText);
        if (b.fields !== undefined) {
          assert.ok(Array.isArray(b.fields), `${w}.fields must be an array`);
          const fields = b.fields as unknown[];
          assert.ok(fields.length >= 1 && fields.length <= LIMITS.sectionFields, `${w}: ${fields.length} fields, limit ${LIMITS.sectionFields}`);
          fields.forEach((f, j) => {
            chars += checkTextObject(f, `${w}.fields[${j}]`, LIMITS.fieldText);
          });
        }
        if (b.accessory !== undefined) chars += checkElement(b.accessory, `${w}.accessory`, actionIds);
        break;
      }
      case 'context': {
        assert.ok(Array.isArray(b.elements), `${w}.elements must be an array`);
        const els = b.elements as unknown[];
        assert.ok(els.length >= 1 && els.length <= LIMITS.contextElements, `${w}: ${els.length} elements, limit ${LIMITS.contextElements}`);
        els.forEach((e, j) => {
          if (isObj(e) && (e.type === 'mrkdwn' || e.type === 'plain_text')) chars += checkTextObject(e, `${w}.elements[${j}]`, LIMITS.textObject);
        });
        break;
      }
      case 'actions': {
        assert.ok(Array.isArray(b.elements), `${w}.elements must be an array`);
        const els = b.elements as unknown[];
        assert.ok(els.length >= 1 && els.length <= LIMITS.actionsElements, `${w}: ${els.length} elements, limit ${LIMITS.actionsElements}`);
        els.forEach((e, j) => {
          chars += checkElement(e, `${w}.elements[${j}]`, actionIds);
        });
        break;
      }
      case 'divider':
        break;
      default:
        // Other block types: at least keep every text object within the generic limit.
        chars += walkTextObjects(b, w);
    }
  });
  assert.ok(chars <= LIMITS.blocksText, `blocks carry ${chars} text characters, budget ${LIMITS.blocksText} (msg_blocks_too_long)`);
}

function walkTextObjects(v: unknown, where: string): number {
  if (Array.isArray(v)) return v.reduce<number>((n, x, i) => n + walkTextObjects(x, `${where}[${i}]`), 0);
  if (!isObj(v)) return 0;
  if ((v.type === 'mrkdwn' || v.type === 'plain_text') && typeof v.text === 'string') return checkTextObject(v, where, LIMITS.textObject);
  return Object.entries(v).reduce((n, [k, x]) => n + walkTextObjects(x, `${where}.${k}`), 0);
}

/** Every text string in the message: the fallback `text` and every text object's `text`. */
export function messageTexts(message: { text?: unknown; blocks?: unknown }): string[] {
  const out: string[] = typeof message.text === 'string' ? [message.text] : [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(visit);
      return;
    }
    if (!isObj(v)) return;
    if ((v.type === 'mrkdwn' || v.type === 'plain_text') && typeof v.text === 'string') out.push(v.text);
    else Object.values(v).forEach(visit);
  };
  visit(message.blocks);
  return out;
}

/**
 * Asserts no text in the message contains a raw `<` or `>`: with Slack's escaping applied, no
 * `<!channel>`, `<@U…>`, `<#C…>`, `<!date…>` or `<https://…|label>` can render. Use it for
 * messages whose text is entirely derived from untrusted data (our cards add no markup of this
 * kind; a message that deliberately mentions a user should check only the data-derived parts).
 */
export function assertNoSlackMarkup(message: { text?: unknown; blocks?: unknown }): void {
  for (const t of messageTexts(message)) {
    assert.ok(!/[<>]/.test(t), `raw angle bracket in message text: ${JSON.stringify(t.slice(0, 200))}`);
  }
}
