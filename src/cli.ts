/**
 * `guardduty-responder` command line. Contract (DESIGN.md): `render FILE` (`-` = stdin) prints the
 * Slack message JSON `{"text":…,"blocks":[…]}` the app would post for the first finding in FILE;
 * exit 0 on success, non-zero with a one-line reason on stderr for input that is not a finding.
 *
 * `main` takes its streams and file reader so tests can drive it in-process; bin/ wires it to
 * the real process.
 */
import { readFile } from 'node:fs/promises';
import { buildFindingCard } from './cards/finding-card.js';
import { describeError, isAppError } from './errors.js';
import { buildFallbackCard } from './cards/fallback-card.js';
import { readFindingsLeniently } from './findings/partial.js';

export const EXIT_OK = 0;
/** The input is not a finding, or cannot be read. */
export const EXIT_INVALID_INPUT = 1;
/** Wrong command line. */
export const EXIT_USAGE = 2;

export interface CliIo {
  stdin: AsyncIterable<string | Buffer>;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  readFile(path: string): Promise<string>;
}

const NAME = 'guardduty-responder';

/**
 * Status line of a card that was just posted. Same text as NEW_FINDING_STATUS in
 * src/notify/card-view.ts (a test keeps them equal); not imported from there so that the CLI does
 * not load the Slack and remediation modules.
 */
export const RENDER_STATUS = 'New — no action taken yet';

/** Slack's Block Kit Builder opens the message given in its URL fragment (URL-encoded JSON). */
export const BLOCK_KIT_BUILDER_URL = 'https://app.slack.com/block-kit-builder/#';

export function blockKitBuilderLink(blocks: readonly unknown[]): string {
  return `${BLOCK_KIT_BUILDER_URL}${encodeURIComponent(JSON.stringify({ blocks }))}`;
}

export const USAGE = `Usage: ${NAME} render FILE
       ${NAME} render --builder FILE
       ${NAME} --help

Commands:
  render FILE   Print the Slack message JSON {"text", "blocks"} that the app would post for the
                first finding in FILE ("-" reads standard input). FILE may hold a GuardDuty
                finding (camelCase or PascalCase), an EventBridge event, an SNS Notification
                body, or a GetFindings response.
                --builder prints instead a Block Kit Builder link that shows the card in
                Slack's own renderer (open it while signed in to Slack).

Exit status: 0 rendered; ${EXIT_INVALID_INPUT} input unreadable or not a finding; ${EXIT_USAGE} usage error.
`;

const defaultIo: CliIo = {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  readFile: (path) => readFile(path, 'utf8'),
};

export async function main(argv: readonly string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--help' || command === '-h' || command === 'help') {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  if (command !== 'render') {
    io.stderr.write(`${NAME}: ${command === undefined ? 'missing command' : `unknown command "${oneLine(command)}"`} (see ${NAME} --help)\n`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(USAGE);
    return EXIT_OK;
  }
  const builder = rest.includes('--builder');
  if (builder) rest.splice(rest.indexOf('--builder'), 1);
  if (rest.length !== 1) {
    io.stderr.write(`${NAME}: render takes exactly one FILE ("-" for stdin) (see ${NAME} --help)\n`);
    return EXIT_USAGE;
  }
  const file = rest[0] as string;
  let text: string;
  try {
    text = file === '-' ? await readAll(io.stdin) : await io.readFile(file);
  } catch (err) {
    io.stderr.write(`${NAME}: cannot read ${file === '-' ? 'stdin' : oneLine(file)}: ${oneLine(errorMessage(err))}\n`);
    return EXIT_INVALID_INPUT;
  }
  try {
    // An incomplete finding renders as the fallback card the app would post (raw JSON attached there).
    const [item] = readFindingsLeniently(text);
    if (!item) throw new Error('no finding in input');
    const message = item.kind === 'finding' ? buildFindingCard(item.finding, { status: RENDER_STATUS }) : buildFallbackCard(item.partial);
    if (builder) io.stdout.write(`${blockKitBuilderLink(message.blocks)}\n`);
    else io.stdout.write(`${JSON.stringify({ text: message.text, blocks: message.blocks }, null, 2)}\n`);
    return EXIT_OK;
  } catch (err) {
    // One line, never a stack: this is what a user or a script sees.
    const reason = isAppError(err) ? err.message : describeError(err);
    io.stderr.write(`${NAME}: ${oneLine(reason)}\n`);
    return EXIT_INVALID_INPUT;
  }
}

async function readAll(stream: AsyncIterable<string | Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function oneLine(s: string): string {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > 300 ? `${flat.slice(0, 299)}…` : flat;
}
