/** One line per timeline event, shared by the `status` answer and the Markdown export. */
import { actionLabel } from './action-events.js';
import { line, user, type SummaryLine } from './lines.js';
import { STATE_LABEL, type TimelineEvent } from './model.js';

export function describeEvent(e: TimelineEvent, labelOf: (action: string) => string = actionLabel): SummaryLine {
  const by = user(e.actor ?? 'system');
  const l = ((): SummaryLine => {
    switch (e.kind) {
      case 'finding_seen':
        return e.repeat
          ? line`Finding ${e.findingId} seen again (count ${e.count}): ${e.findingType}`
          : line`Finding ${e.findingId} joined: ${e.findingType}, severity ${e.severity.toFixed(1)} — ${e.title}`;
      case 'action_requested':
        return line`${labelOf(e.action)} requested by ${by}${e.target ? ` on ${e.target}` : ''}${e.reason ? ` — reason: ${e.reason}` : ''}`;
      case 'approved':
        return line`${labelOf(e.action)} approved by ${by}`;
      case 'executed':
        return e.status === 'partial'
          ? line`${labelOf(e.action)} partly done (requested by ${by}): ${e.headline}`
          : line`${labelOf(e.action)} done (requested by ${by}): ${e.headline}`;
      case 'failed':
        return line`${labelOf(e.action)} failed (requested by ${by}): ${e.headline}`;
      case 'status_changed':
        return line`${STATE_LABEL[e.from]} → ${STATE_LABEL[e.to]} by ${by}${e.reason ? ` — ${e.reason}` : ''}`;
      case 'assigned':
        return e.actor === e.assignee ? line`Taken by ${user(e.assignee)}` : line`Assigned to ${user(e.assignee)} by ${by}`;
      case 'note':
        return line`Note by ${by}: ${e.text}`;
    }
  })();
  return { ...l, at: e.at };
}
